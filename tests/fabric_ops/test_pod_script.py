"""The in-pod command script, run by a real ``sh`` here exactly as the toolbox
pod runs it: inputs land in the scratch dir, the command's exit code, output and
output files come back whole, and nothing is left behind; a signer MSP lands
in the scratch dir, of the pod's script and of a local executor alike."""

from __future__ import annotations

import glob
import subprocess
import tempfile

from fabric_ops.pod_executor import build_script, parse_output


def run_script(argv, env=None, inputs=None, outputs=(), signer_msp=None):
    script = build_script(argv, env or {}, inputs or {}, outputs, signer_msp)
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": tempfile.gettempdir()}
    proc = subprocess.run(["sh", "-s"], input=script, capture_output=True, text=True,
                          check=True, env=env)
    return parse_output(argv, proc.stdout)


def test_inputs_outputs_and_exit_code_round_trip():
    binary = bytes(range(256)) * 300  # 76 KiB, not text
    result = run_script(
        ["sh", "-c", "cat in/block.pb > copy.pb; echo \"$GREETING\"; echo oops >&2; exit 3"],
        env={"GREETING": "it's a 'quoted' $value"},
        inputs={"in/block.pb": binary},
        outputs=["copy.pb", "missing.pb"],
    )
    assert result.returncode == 3
    assert result.stdout == "it's a 'quoted' $value\n"
    assert result.stderr == "oops\n"
    assert result.files == {"copy.pb": binary}


def test_scratch_directories_are_removed():
    before = set(glob.glob(f"{tempfile.gettempdir()}/tmp.*"))
    run_script(["true"])
    assert set(glob.glob(f"{tempfile.gettempdir()}/tmp.*")) == before


def test_incomplete_output_is_an_error():
    import pytest

    from fabric_ops.pod_executor import TransportError

    with pytest.raises(TransportError):
        parse_output(["peer"], "@@FABRIC-OP rc 0\n")


def test_a_signer_msp_lands_in_the_scratch_dir_and_the_command_signs_with_it():
    before = set(glob.glob(f"{tempfile.gettempdir()}/tmp.*"))
    result = run_script(
        ["sh", "-c", 'cat "$CORE_PEER_MSPCONFIGPATH/signcerts/cert.pem"; '
                     'case "$CORE_PEER_MSPCONFIGPATH" in "$PWD"/*) echo inside;; esac'],
        env={"CORE_PEER_MSPCONFIGPATH": "/var/hyperledger/admin/msp"},
        signer_msp={"signcerts/cert.pem": b"previous\n", "keystore/priv_sk": b"key\n"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "previous\ninside\n"
    assert set(glob.glob(f"{tempfile.gettempdir()}/tmp.*")) == before  # the key went with it


def test_a_local_executor_writes_the_signer_msp_into_its_scratch_dir_too():
    from fabric_ops.executor import AdminPaths
    from fabric_ops.local_executor import LocalExecutor

    executor = LocalExecutor("/bin", {"CORE_PEER_MSPCONFIGPATH": "/admin/msp"},
                             AdminPaths("/admin", "/tls-ca"))
    argv = ["sh", "-c", 'cat "$CORE_PEER_MSPCONFIGPATH/signcerts/cert.pem"; '
                        'case "$CORE_PEER_MSPCONFIGPATH" in "$PWD"/*) echo inside;; esac']
    result = executor.run(argv, signer_msp={"signcerts/cert.pem": b"previous\n"})
    assert (result.returncode, result.stdout) == (0, "previous\ninside\n")
    assert executor.run(["sh", "-c", 'echo "$CORE_PEER_MSPCONFIGPATH"']).stdout == "/admin/msp\n"
