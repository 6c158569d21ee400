"""Every kind of bad crypto-config.yaml gives one exact message."""

import textwrap

import pytest

from network_spec import SpecError, load_network

DNS_LABEL = (
    "a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter "
    "or digit, at most 63 characters"
)
DNS_NAME = (
    "a DNS-1123 subdomain: dot-separated DNS-1123 labels (lowercase letters, digits and '-', "
    "each starting and ending with a letter or digit), at most 253 characters"
)
ORG_KEYS = "Name, Domain, EnableNodeOUs, CA, Specs, Template, Users"
SPEC_KEYS = (
    "Hostname, CommonName, Country, Province, Locality, OrganizationalUnit, StreetAddress, "
    "PostalCode, SANS"
)
LONG = "p" * 59
NOT_A_SAN = (
    "is neither an IP address nor a DNS name (dot-separated labels of letters, digits and "
    "'-', each starting and ending with a letter or digit; optionally '*.' first)"
)
NODE_55 = "p" * 51
"""With ``-org1``, 55 characters: ``restore-<node>`` is one too many for a Job."""
ORG_58 = "O" * 58


def peer_org(body: str = "", name: str = "Org1", domain: str = "org1.example.com") -> str:
    """One PeerOrgs entry; ``body`` holds its further keys, one per line."""
    lines = [f"  - Name: {name}", f"    Domain: {domain}"]
    lines += [f"    {line}" for line in textwrap.dedent(body).strip().splitlines()]
    return "\n".join(lines) + "\n"


def peer_orgs(*orgs: str) -> str:
    return "PeerOrgs:\n" + "".join(orgs)


T1 = "Template: {Count: 1}"

CASES = [
    # --- unknown keys
    (
        "unknown-top-key",
        "PeerOrg: []\n",
        "unknown key 'PeerOrg' (did you mean 'PeerOrgs'?); allowed keys: OrdererOrgs, PeerOrgs",
    ),
    (
        "unknown-org-key",
        peer_orgs(peer_org("Tempalte: {Count: 1}")),
        f"PeerOrgs[0]: unknown key 'Tempalte' (did you mean 'Template'?); allowed keys: {ORG_KEYS}",
    ),
    (
        "unknown-template-key",
        peer_orgs(peer_org("Template: {count: 1}")),
        "PeerOrgs[0].Template: unknown key 'count' (did you mean 'Count'?); "
        "allowed keys: Count, Start, Hostname, SANS",
    ),
    (
        "unknown-spec-key",
        peer_orgs(peer_org("Specs: [{Hostname: peer0, Port: 7051}]")),
        f"PeerOrgs[0].Specs[0]: unknown key 'Port'; allowed keys: {SPEC_KEYS}",
    ),
    (
        "unknown-ca-key",
        peer_orgs(peer_org(f"{T1}\nCA: {{Name: ca}}")),
        f"PeerOrgs[0].CA: unknown key 'Name'; allowed keys: {SPEC_KEYS}",
    ),
    (
        "unknown-users-key",
        peer_orgs(peer_org(f"{T1}\nUsers: {{Number: 2}}")),
        "PeerOrgs[0].Users: unknown key 'Number'; allowed keys: Count",
    ),
    # --- wrong types
    (
        "orgs-not-a-list",
        "PeerOrgs: Org1\n",
        "PeerOrgs: expected a list, got a string ('Org1')",
    ),
    (
        "org-not-a-mapping",
        "PeerOrgs: [Org1]\n",
        f"PeerOrgs[0]: expected a mapping with keys {ORG_KEYS}, got a string ('Org1')",
    ),
    (
        "name-is-a-number",
        peer_orgs(peer_org(T1, name="1")),
        'PeerOrgs[0].Name: expected a string, got an integer (1); put it in quotes: "1"',
    ),
    (
        "name-is-null",
        peer_orgs(peer_org(T1, name="null")),
        "PeerOrgs[0].Name: expected a string, got null",
    ),
    (
        "name-is-empty",
        peer_orgs(peer_org(T1, name='""')),
        "PeerOrgs[0].Name: must not be empty",
    ),
    (
        "node-ous-is-a-string",
        peer_orgs(peer_org(f'{T1}\nEnableNodeOUs: "true"')),
        "PeerOrgs[0].EnableNodeOUs: expected a boolean (true or false), got a string ('true')",
    ),
    (
        "node-ous-is-an-integer",
        peer_orgs(peer_org(f"{T1}\nEnableNodeOUs: 1")),
        "PeerOrgs[0].EnableNodeOUs: expected a boolean (true or false), got an integer (1)",
    ),
    (
        "count-is-a-boolean",
        peer_orgs(peer_org("Template: {Count: true}")),
        "PeerOrgs[0].Template.Count: expected an integer, got a boolean (true)",
    ),
    (
        "count-is-a-string",
        peer_orgs(peer_org('Template: {Count: "2"}')),
        "PeerOrgs[0].Template.Count: expected an integer, got a string ('2')",
    ),
    (
        "count-is-a-float",
        peer_orgs(peer_org("Template: {Count: 1.5}")),
        "PeerOrgs[0].Template.Count: expected an integer, got a number (1.5)",
    ),
    (
        "users-count-is-a-boolean",
        peer_orgs(peer_org(f"{T1}\nUsers: {{Count: false}}")),
        "PeerOrgs[0].Users.Count: expected an integer, got a boolean (false)",
    ),
    (
        "specs-is-a-mapping",
        peer_orgs(peer_org("Specs: {Hostname: peer0}")),
        "PeerOrgs[0].Specs: expected a list, got a mapping",
    ),
    (
        "sans-is-a-string",
        peer_orgs(peer_org("Template: {Count: 1, SANS: localhost}")),
        "PeerOrgs[0].Template.SANS: expected a list, got a string ('localhost')",
    ),
    (
        "template-is-a-list",
        peer_orgs(peer_org("Template: [1]")),
        "PeerOrgs[0].Template: expected a mapping with keys Count, Start, Hostname, SANS, "
        "got a list",
    ),
    # --- missing required fields
    (
        "missing-name",
        "PeerOrgs:\n  - Domain: org1.example.com\n    Template: {Count: 1}\n",
        "PeerOrgs[0]: missing required key 'Name'",
    ),
    (
        "missing-domain",
        "PeerOrgs:\n  - Name: Org1\n    Template: {Count: 1}\n",
        "PeerOrgs[0]: missing required key 'Domain'",
    ),
    (
        "missing-spec-hostname",
        peer_orgs(peer_org("Specs: [{CommonName: peer0.org1.example.com}]")),
        "PeerOrgs[0].Specs[0]: missing required key 'Hostname'",
    ),
    (
        "missing-template-count",
        peer_orgs(peer_org("Template: {Start: 1}")),
        "PeerOrgs[0].Template: missing required key 'Count'",
    ),
    (
        "no-nodes",
        peer_orgs(peer_org("Users: {Count: 1}")),
        "PeerOrgs[0]: org 'Org1' has no nodes; give it Specs or a Template",
    ),
    (
        "no-orgs",
        "OrdererOrgs: []\nPeerOrgs: []\n",
        "defines no orgs; list them under OrdererOrgs and PeerOrgs",
    ),
    # --- counts
    (
        "template-count-zero",
        peer_orgs(peer_org("Template: {Count: 0}")),
        "PeerOrgs[0].Template.Count: must be at least 1, got 0; remove Template for an org "
        "without template nodes",
    ),
    (
        "template-count-negative",
        peer_orgs(peer_org("Template: {Count: -2}")),
        "PeerOrgs[0].Template.Count: must be at least 1, got -2; remove Template for an org "
        "without template nodes",
    ),
    (
        "template-start-negative",
        peer_orgs(peer_org("Template: {Count: 1, Start: -1}")),
        "PeerOrgs[0].Template.Start: must be 0 or more, got -1",
    ),
    (
        "users-count-negative",
        peer_orgs(peer_org(f"{T1}\nUsers: {{Count: -1}}")),
        "PeerOrgs[0].Users.Count: must be 0 or more, got -1",
    ),
    # --- duplicates
    (
        "duplicate-org-name",
        peer_orgs(peer_org(T1), peer_org(T1, domain="other.example.com")),
        "PeerOrgs[1].Name: org name 'Org1' is already used by PeerOrgs[0].Name (org names, "
        "and so MSP IDs '<Name>MSP', must be unique)",
    ),
    (
        "duplicate-msp-id-across-kinds",
        "OrdererOrgs:\n  - Name: Org1\n    Domain: example.com\n    Specs: [{Hostname: o}]\n"
        + peer_orgs(peer_org(T1)),
        "PeerOrgs[0].Name: org name 'Org1' is already used by OrdererOrgs[0].Name (org names, "
        "and so MSP IDs '<Name>MSP', must be unique)",
    ),
    (
        "org-names-differ-in-case-only",
        peer_orgs(peer_org(T1), peer_org(T1, name="ORG1", domain="other.example.com")),
        "PeerOrgs[1].Name: Kubernetes name 'org1' is already used by PeerOrgs[0] ('Org1') "
        "(an org's Kubernetes name is its name lowercased)",
    ),
    (
        "duplicate-domain",
        peer_orgs(peer_org(T1), peer_org(T1, name="Org2")),
        "PeerOrgs[1].Domain: domain 'org1.example.com' is already used by PeerOrgs[0].Domain",
    ),
    (
        "duplicate-hostname-spec-and-template",
        peer_orgs(peer_org(f"Specs: [{{Hostname: peer0}}]\n{T1}")),
        "PeerOrgs[0].Template: hostname 'peer0' is already used by PeerOrgs[0].Specs[0] "
        "(hostnames must be unique within an org)",
    ),
    (
        "duplicate-hostname-in-specs",
        peer_orgs(
            peer_org("Specs: [{Hostname: a}, {Hostname: a, CommonName: b.org1.example.com}]")
        ),
        "PeerOrgs[0].Specs[1].Hostname: hostname 'a' is already used by PeerOrgs[0].Specs[0] "
        "(hostnames must be unique within an org)",
    ),
    (
        "duplicate-hostname-from-template",
        peer_orgs(peer_org("Template: {Count: 2, Hostname: peer}")),
        "PeerOrgs[0].Template.Hostname: hostname 'peer' is already used by "
        "PeerOrgs[0].Template (Index 0) (hostnames must be unique within an org)",
    ),
    (
        "duplicate-common-name-in-org",
        peer_orgs(
            peer_org(
                "Specs:\n"
                "  - {Hostname: a, CommonName: x.org1.example.com}\n"
                "  - {Hostname: b, CommonName: x.org1.example.com}"
            )
        ),
        "PeerOrgs[0].Specs[1].CommonName: common name 'x.org1.example.com' is already used by "
        "PeerOrgs[0].Specs[0] (common names are Fabric host names and must be unique)",
    ),
    (
        "duplicate-common-name-across-orgs",
        peer_orgs(
            peer_org(T1),
            peer_org(
                "Specs: [{Hostname: peer0, CommonName: peer0.org1.example.com}]",
                name="Org2",
                domain="org2.example.com",
            ),
        ),
        "PeerOrgs[1].Specs[0].CommonName: common name 'peer0.org1.example.com' is already used "
        "by PeerOrgs[0].Template (Index 0) (common names are Fabric host names and must be "
        "unique)",
    ),
    (
        "duplicate-node-kubernetes-name",
        peer_orgs(
            peer_org("Specs: [{Hostname: peer0-org1}]", name="X", domain="x.example.com"),
            peer_org("Specs: [{Hostname: peer0}]", name="Org1-X", domain="y.example.com"),
        ),
        "PeerOrgs[1].Specs[0].Hostname: Kubernetes name 'peer0-org1-x' is already used by "
        "PeerOrgs[0].Specs[0] (nodes are named '<hostname>-<org name lowercased>')",
    ),
    # --- names that cannot become Kubernetes or DNS names
    (
        "org-name-with-underscore",
        peer_orgs(peer_org(T1, name="Org_1")),
        "PeerOrgs[0].Name: org name 'Org_1' cannot become a Kubernetes name: the name "
        f"lowercased ('org_1') names the org's Kubernetes objects and must be {DNS_LABEL}",
    ),
    (
        "org-name-too-long",
        peer_orgs(peer_org(T1, name="O" * 64)),
        f"PeerOrgs[0].Name: org name '{'O' * 64}' cannot become a Kubernetes name: the name "
        f"lowercased ('{'o' * 64}') names the org's Kubernetes objects and must be {DNS_LABEL}",
    ),
    (
        "org-name-ends-with-dash",
        peer_orgs(peer_org(T1, name="Org1-")),
        "PeerOrgs[0].Name: org name 'Org1-' cannot become a Kubernetes name: the name "
        f"lowercased ('org1-') names the org's Kubernetes objects and must be {DNS_LABEL}",
    ),
    (
        "hostname-uppercase",
        peer_orgs(peer_org("Specs: [{Hostname: Peer0}]")),
        f"PeerOrgs[0].Specs[0].Hostname: hostname 'Peer0' must be {DNS_LABEL}",
    ),
    (
        "hostname-with-dot",
        peer_orgs(peer_org("Specs: [{Hostname: peer0.org1}]")),
        f"PeerOrgs[0].Specs[0].Hostname: hostname 'peer0.org1' must be {DNS_LABEL}",
    ),
    (
        "kubernetes-node-name-too-long",
        peer_orgs(peer_org(f"Specs: [{{Hostname: {LONG}}}]")),
        f"PeerOrgs[0].Specs[0].Hostname: hostname '{LONG}' gives the Kubernetes name "
        f"'{LONG}-org1' (64 characters): '<hostname>-<org name lowercased>' must be {DNS_LABEL}",
    ),
    # --- counts that would exhaust the machine
    (
        "template-count-above-the-bound",
        peer_orgs(peer_org(f"Template: {{Count: {10**9}}}")),
        f"PeerOrgs[0].Template.Count: must be at most 1000, got {10**9}",
    ),
    (
        "users-count-above-the-bound",
        peer_orgs(peer_org(f"{T1}\nUsers: {{Count: {10**9}}}")),
        f"PeerOrgs[0].Users.Count: must be at most 1000, got {10**9}",
    ),
    (
        "network-above-the-node-bound",
        peer_orgs(*(peer_org("Template: {Count: 1000}", name=f"Org{i}",
                             domain=f"org{i}.example.com") for i in range(1, 7))),
        "PeerOrgs[5]: org 'Org6' brings the network to 6000 nodes; a network has at most 5000",
    ),
    # --- Kubernetes object names composed from org names, hostnames and users
    (
        "restore-job-name-too-long",
        peer_orgs(peer_org(f"Specs: [{{Hostname: {NODE_55}}}]")),
        f"PeerOrgs[0].Specs[0].Hostname: hostname '{NODE_55}' gives the Job name "
        f"'restore-{NODE_55}-org1' (64 characters), which must be {DNS_LABEL}",
    ),
    (
        "admin-toolbox-name-too-long",
        peer_orgs(peer_org(T1, name=ORG_58)),
        f"PeerOrgs[0].Name: org name '{ORG_58}' gives the Deployment name "
        f"'admin-{ORG_58.lower()}' (64 characters), which must be {DNS_LABEL}",
    ),
    (
        "service-name-starts-with-a-digit",
        peer_orgs(peer_org("Specs: [{Hostname: 0peer}]")),
        "PeerOrgs[0].Specs[0].Hostname: hostname '0peer' gives the Service name '0peer-org1' "
        f"(10 characters), which must be {DNS_LABEL}, starting with a letter (a Service name)",
    ),
    (
        "node-named-like-the-admin-toolbox",
        peer_orgs(peer_org("Specs: [{Hostname: admin}]")),
        "PeerOrgs[0].Specs[0].Hostname: hostname 'admin' gives the Deployment name "
        "'admin-org1', already the name of the admin toolbox of org 'Org1'",
    ),
    (
        "user-named-like-a-node",
        peer_orgs(peer_org("Specs: [{Hostname: user2}]\nUsers: {Count: 2}")),
        "PeerOrgs[0].Users.Count: user User2@org1.example.com gives the Secret name "
        "'user2-org1-crypto', already the name of node user2.org1.example.com",
    ),
    (
        "template-hostname-renders-bad-label",
        peer_orgs(peer_org("Template: {Count: 1, Hostname: '{{.Prefix}}_{{.Index}}'}")),
        f"PeerOrgs[0].Template.Hostname: hostname 'peer_0' must be {DNS_LABEL}",
    ),
    (
        "domain-uppercase",
        peer_orgs(peer_org(T1, domain="Org1.example.com")),
        f"PeerOrgs[0].Domain: domain 'Org1.example.com' must be {DNS_NAME}",
    ),
    (
        "common-name-not-dns",
        peer_orgs(peer_org("Specs: [{Hostname: peer0, CommonName: 'peer 0.org1'}]")),
        f"PeerOrgs[0].Specs[0].CommonName: common name 'peer 0.org1' must be {DNS_NAME}",
    ),
    (
        "ca-hostname-not-a-label",
        peer_orgs(peer_org(f"{T1}\nCA: {{Hostname: CA}}")),
        f"PeerOrgs[0].CA.Hostname: CA hostname 'CA' must be {DNS_LABEL}",
    ),
    # --- templates
    (
        "unknown-template-field-in-hostname",
        peer_orgs(peer_org("Template: {Count: 1, Hostname: '{{.Name}}{{.Index}}'}")),
        "PeerOrgs[0].Template.Hostname: unknown template field '{{.Name}}' in "
        "'{{.Name}}{{.Index}}'; available here: {{.Prefix}}, {{.Index}}, {{.Domain}}",
    ),
    (
        "common-name-cannot-use-common-name",
        peer_orgs(peer_org("Specs: [{Hostname: a, CommonName: '{{.CommonName}}'}]")),
        "PeerOrgs[0].Specs[0].CommonName: unknown template field '{{.CommonName}}' in "
        "'{{.CommonName}}'; available here: {{.Hostname}}, {{.Domain}}",
    ),
    (
        "sans-cannot-use-index",
        peer_orgs(peer_org("Template: {Count: 1, SANS: ['n{{.Index}}.example.com']}")),
        "PeerOrgs[0].Template.SANS[0]: unknown template field '{{.Index}}' in "
        "'n{{.Index}}.example.com'; available here: {{.Hostname}}, {{.Domain}}, {{.CommonName}}",
    ),
    (
        "unsupported-template-action",
        peer_orgs(peer_org("Specs: [{Hostname: a, SANS: ['{{.Hostname | upper}}']}]")),
        "PeerOrgs[0].Specs[0].SANS[0]: unsupported template action '{{.Hostname | upper}}' in "
        "'{{.Hostname | upper}}'; only field references are supported here: {{.Hostname}}, "
        "{{.Domain}}, {{.CommonName}}",
    ),
    (
        "unclosed-template",
        peer_orgs(peer_org("Specs: [{Hostname: a, SANS: ['{{.Hostname']}]")),
        "PeerOrgs[0].Specs[0].SANS[0]: unclosed '{{' in template '{{.Hostname'",
    ),
    # --- what certificates can hold
    (
        "ca-country-not-two-letters",
        peer_orgs(peer_org(f"{T1}\nCA: {{Country: USA}}")),
        "PeerOrgs[0].CA.Country: 'USA' is not a country: an x509 Country is a 2-letter code "
        "such as US",
    ),
    (
        "spec-country-with-a-digit",
        peer_orgs(peer_org("Specs: [{Hostname: a, Country: U1}]")),
        "PeerOrgs[0].Specs[0].Country: 'U1' is not a country: an x509 Country is a 2-letter "
        "code such as US",
    ),
    (
        "organizational-unit-too-long",
        peer_orgs(peer_org(f"{T1}\nCA: {{OrganizationalUnit: {'u' * 65}}}")),
        "PeerOrgs[0].CA.OrganizationalUnit: has 65 characters; an x509 OrganizationalUnit has "
        "at most 64",
    ),
    (
        "locality-with-a-newline",
        peer_orgs(peer_org(f"{T1}\nCA: {{Locality: \"Paris\\nFrance\"}}")),
        "PeerOrgs[0].CA.Locality: 'Paris\\nFrance' contains control characters",
    ),
    *(
        (
            f"san-numeric-not-an-ip-{i}",
            peer_orgs(peer_org(f"Specs: [{{Hostname: a, SANS: ['{san}']}}]")),
            f"PeerOrgs[0].Specs[0].SANS[0]: SAN '{san}' ends in a numeric label, but is not "
            "an IP address",
        )
        for i, san in enumerate(("300.1.1.1", "10.0.0", "peer0.org1.7"))
    ),
    (
        "san-with-a-space",
        peer_orgs(peer_org("Specs: [{Hostname: a, SANS: ['peer a.example.com']}]")),
        f"PeerOrgs[0].Specs[0].SANS[0]: SAN 'peer a.example.com' {NOT_A_SAN}",
    ),
    (
        "template-san-not-ascii",
        peer_orgs(peer_org("Template: {Count: 1, SANS: ['{{.Hostname}}.b\u00fccher.example']}")),
        f"PeerOrgs[0].Template.SANS[0]: SAN 'peer0.b\u00fccher.example' {NOT_A_SAN}",
    ),
    (
        "san-with-an-underscore",
        peer_orgs(peer_org("Specs: [{Hostname: a, SANS: ['{{.Hostname}}_tls.example.com']}]")),
        f"PeerOrgs[0].Specs[0].SANS[0]: SAN 'a_tls.example.com' {NOT_A_SAN}",
    ),
    (
        "empty-san",
        peer_orgs(peer_org("Specs: [{Hostname: a, SANS: ['']}]")),
        "PeerOrgs[0].Specs[0].SANS[0]: must not be empty",
    ),
    (
        "blank-san",
        peer_orgs(peer_org("Specs: [{Hostname: a, SANS: ['  ']}]")),
        "PeerOrgs[0].Specs[0].SANS[0]: SAN '  ' renders to an empty string",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_crypto_config(tmp_path, text, message):
    crypto_config = tmp_path / "crypto-config.yaml"
    crypto_config.write_text(text)
    (tmp_path / "network.yaml").write_text("channels: []\n")
    with pytest.raises(SpecError) as error:
        load_network(crypto_config, tmp_path / "network.yaml")
    assert str(error.value) == f"{crypto_config}: {message}"
    assert error.value.file == str(crypto_config)


def test_sans_may_be_ip_addresses_wildcards_and_capitals(tmp_path):
    crypto_config = tmp_path / "crypto-config.yaml"
    sans = ["10.0.0.7", "::1", "*.org1.example.com", "Peer0.Example.com"]
    crypto_config.write_text(peer_orgs(peer_org(f"Specs: [{{Hostname: peer0, SANS: {sans}}}]")))
    (tmp_path / "network.yaml").write_text("channels: []\n")
    node = load_network(crypto_config, tmp_path / "network.yaml").peer_orgs[0].nodes[0]
    assert node.sans == ("peer0.org1.example.com", "peer0", *sans)
