"""Imports point one way: the spec, then crypto and node data, then the
operations, then the dynamic providers, then the Kubernetes builders, the
components, the network wiring and ``__main__.py``. The Pulumi-free packages
stay free of Pulumi, and no module imports itself back through others."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("network_spec", "crypto", "fabric_nodes", "fabric_ops", "backup", "localnet",
            "fabric_components", "policy", "benchmarks", "tools", "tests")

RANKS: list[tuple[str, ...]] = [
    ("network_spec",),
    ("crypto",),
    ("fabric_nodes",),
    ("fabric_ops", "backup"),
    ("fabric_components.providers", "fabric_components.channel_provider",
     "fabric_components.channel_config_provider", "fabric_components.chaincode_provider",
     "fabric_components.crypto_provider", "fabric_components.rollout_provider"),
    ("fabric_components.stack_config", "fabric_components.stack_values",
     "fabric_components.quantities", "fabric_components.log_spec",
     "fabric_components.service_sans", "fabric_components.crypto_material",
     "fabric_components.durations", "fabric_components.chaincode_tls"),
    ("fabric_components.k8s", "fabric_components.cluster"),
    ("fabric_components.backup",),
    ("fabric_components.components",),
    ("fabric_components.network", "fabric_components"),
    ("__main__", "localnet", "policy"),
    ("benchmarks", "tools", "tests"),
]
"""Lowest first: a module may import from its own rank or a lower one. The
``*_provider`` modules at the top of fabric_components only keep old stacks'
pickled providers importable."""

PULUMI_FREE = ("network_spec", "crypto", "fabric_nodes", "fabric_ops", "backup", "localnet",
               "fabric_components.stack_config", "fabric_components.stack_values",
               "fabric_components.quantities", "fabric_components.log_spec",
               "fabric_components.service_sans", "fabric_components.durations")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    found = {"__main__": ROOT / "__main__.py"}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imported(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """Every module ``path`` imports, at any depth of its code (lazy imports
    inside functions count: they run in the same process)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in modules else base)
    return out


def rank_of(module: str) -> int | None:
    best: tuple[int, int] | None = None
    for rank, prefixes in enumerate(RANKS):
        for prefix in prefixes:
            inside = module == prefix or module.startswith(prefix + ".")
            if inside and (best is None or len(prefix) > best[1]):
                best = (rank, len(prefix))
    return None if best is None else best[0]


def graph() -> dict[str, set[str]]:
    modules = project_modules()
    return {name: {m for m in imported(path, name, modules) if rank_of(m) is not None}
            for name, path in modules.items()}


def test_every_project_module_has_a_rank():
    assert [m for m in project_modules() if rank_of(m) is None] == []


def test_imports_point_down_the_layers():
    upward = sorted(
        f"{module} (rank {rank_of(module)}) imports {target} (rank {rank_of(target)})"
        for module, targets in graph().items() for target in targets
        if (rank_of(target) or 0) > (rank_of(module) or 0)
    )
    assert upward == []


def test_pulumi_free_packages_do_not_import_pulumi():
    modules = project_modules()
    offenders = sorted(
        f"{name} imports {target}"
        for name, path in modules.items()
        if any(name == p or name.startswith(p + ".") for p in PULUMI_FREE)
        for target in imported(path, name, modules)
        if target.split(".")[0] in ("pulumi", "pulumi_kubernetes", "pulumi_azure_native")
    )
    assert offenders == []


def find_cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``edges`` (empty when there is none)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target):], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_module_imports_itself_back():
    edges = {m: {t for t in targets if t != m} for m, targets in graph().items()}
    assert find_cycle(edges) == []


def test_the_checks_see_an_upward_import_and_a_cycle():
    """The rules above can fail: a provider importing a component is upward,
    and two modules importing each other are a cycle."""
    assert rank_of("fabric_components.components.channel") > rank_of(  # type: ignore[operator]
        "fabric_components.providers.channel")
    assert rank_of("fabric_components.channel_provider") == rank_of(
        "fabric_components.providers.channel")
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    modules = project_modules()
    targets = imported(ROOT / "fabric_components" / "components" / "channel.py",
                       "fabric_components.components.channel", modules)
    assert "fabric_components.providers.channel" in targets
