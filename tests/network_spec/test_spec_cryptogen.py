"""cryptogen's expansion of crypto-config.yaml, fact by fact."""

import textwrap

import pytest

from network_spec import OrgSpec, Subject, load_network
from network_spec.templates import TemplateError, render


def load_orgs(tmp_path, crypto_config: str) -> dict[str, OrgSpec]:
    (tmp_path / "crypto-config.yaml").write_text(textwrap.dedent(crypto_config))
    (tmp_path / "network.yaml").write_text("channels: []\n")
    spec = load_network(tmp_path / "crypto-config.yaml", tmp_path / "network.yaml")
    return {org.name: org for org in spec.orgs}


def test_specs_come_before_template_nodes_and_start_offsets_the_index(tmp_path):
    org = load_orgs(
        tmp_path,
        """
        PeerOrgs:
          - Name: Org1
            Domain: org1.example.com
            Template: {Count: 2, Start: 5}
            Specs:
              - Hostname: anchor
              - Hostname: peer0
        """,
    )["Org1"]
    assert [n.hostname for n in org.nodes] == ["anchor", "peer0", "peer5", "peer6"]
    assert [n.k8s_name for n in org.nodes] == [
        "anchor-org1", "peer0-org1", "peer5-org1", "peer6-org1",
    ]  # fmt: skip


def test_orderer_template_prefix(tmp_path):
    orgs = load_orgs(
        tmp_path,
        """
        OrdererOrgs:
          - Name: Ord
            Domain: ord.example.com
            Template: {Count: 2}
        """,
    )
    assert [n.common_name for n in orgs["Ord"].nodes] == [
        "orderer0.ord.example.com", "orderer1.ord.example.com",
    ]  # fmt: skip


def test_hostname_template_with_domain_must_still_be_a_dns_label(tmp_path):
    orgs = load_orgs(
        tmp_path,
        """
        PeerOrgs:
          - Name: Org1
            Domain: org1
            Template:
              Count: 2
              Start: 1
              Hostname: "{{ .Prefix }}-{{.Index}}-{{.Domain}}"
        """,
    )
    assert [(n.hostname, n.common_name) for n in orgs["Org1"].nodes] == [
        ("peer-1-org1", "peer-1-org1.org1"),
        ("peer-2-org1", "peer-2-org1.org1"),
    ]


def test_common_name_template_and_sans_templates_with_an_ip(tmp_path):
    node = load_orgs(
        tmp_path,
        """
        PeerOrgs:
          - Name: Org1
            Domain: org1.example.com
            Specs:
              - Hostname: foo
                CommonName: "{{.Hostname}}27.org5.{{.Domain}}"
                SANS:
                  - "bar.{{.Domain}}"
                  - "{{.Hostname}}.org6.net"
                  - "alt.{{ .CommonName }}"
                  - 172.16.10.31
                  - foo
        """,
    )["Org1"].nodes[0]
    assert node.common_name == "foo27.org5.org1.example.com"
    assert node.sans == (
        "foo27.org5.org1.example.com",
        "foo",
        "bar.org1.example.com",
        "foo.org6.net",
        "alt.foo27.org5.org1.example.com",
        "172.16.10.31",
    )


def test_template_sans_render_per_node(tmp_path):
    org = load_orgs(
        tmp_path,
        """
        PeerOrgs:
          - Name: Org1
            Domain: org1.example.com
            Template:
              Count: 2
              SANS: ["{{.Hostname}}.alt.{{.Domain}}", "10.0.0.1"]
        """,
    )["Org1"]
    assert [n.sans for n in org.nodes] == [
        ("peer0.org1.example.com", "peer0", "peer0.alt.org1.example.com", "10.0.0.1"),
        ("peer1.org1.example.com", "peer1", "peer1.alt.org1.example.com", "10.0.0.1"),
    ]


def test_explicit_common_name_without_template(tmp_path):
    node = load_orgs(
        tmp_path,
        """
        PeerOrgs:
          - Name: Org1
            Domain: org1.example.com
            Specs: [{Hostname: peer0, CommonName: node.other.example.org}]
        """,
    )["Org1"].nodes[0]
    assert (node.hostname, node.common_name, node.k8s_name) == (
        "peer0", "node.other.example.org", "peer0-org1",
    )  # fmt: skip


def test_subject_fields_of_specs_and_ca(tmp_path):
    org = load_orgs(
        tmp_path,
        """
        PeerOrgs:
          - Name: Org1
            Domain: org1.example.com
            CA:
              Hostname: rootca
              CommonName: "{{.Hostname}}.ca.{{.Domain}}"
              Country: DE
              Province: Bavaria
              Locality: Munich
              OrganizationalUnit: Blockchain
              StreetAddress: Main Street 1
              PostalCode: "80331"
              SANS: [ca.internal]
            Specs:
              - Hostname: peer0
                Country: FR
                OrganizationalUnit: ""
        """,
    )["Org1"]
    assert org.ca.hostname == "rootca"
    assert org.ca_common_name == "rootca.ca.org1.example.com"
    assert org.tlsca_common_name == "tlsrootca.ca.org1.example.com"
    assert org.ca.subject == Subject(
        "DE", "Bavaria", "Munich", "Blockchain", "Main Street 1", "80331"
    )
    assert org.ca.sans == ("rootca.ca.org1.example.com", "rootca", "ca.internal")
    assert org.nodes[0].subject == Subject(country="FR")


def test_org_defaults(tmp_path):
    orgs = load_orgs(
        tmp_path,
        """
        OrdererOrgs:
          - Name: Ord
            Domain: example.com
            Specs: [{Hostname: orderer}]
            Users: {Count: 5}
        PeerOrgs:
          - Name: Org1
            Domain: org1.example.com
            Template: {Count: 1}
            Users: {}
          - Name: Org2
            Domain: org2.example.com
            Template: {Count: 1}
        """,
    )
    assert orgs["Ord"].users == 0  # cryptogen ignores Users for orderer orgs
    assert orgs["Org1"].users == 0
    assert orgs["Org2"].users == 0
    assert not orgs["Org1"].enable_node_ous
    assert orgs["Org1"].ca.common_name == "ca.org1.example.com"
    assert orgs["Ord"].msp_id == "OrdMSP"


def test_null_sections_count_as_absent(tmp_path):
    orgs = load_orgs(
        tmp_path,
        """
        OrdererOrgs:
        PeerOrgs:
          - Name: Org1
            Domain: org1.example.com
            CA:
            Specs:
            Template: {Count: 1}
            Users:
        """,
    )
    assert list(orgs) == ["Org1"]
    assert [n.hostname for n in orgs["Org1"].nodes] == ["peer0"]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{.Prefix}}{{.Index}}", "peer3"),
        ("{{ .Prefix }}{{  .Index\t}}", "peer3"),
        ("node-{{.Index}}.{{.Domain}}", "node-3.org1"),
        ("plain", "plain"),
        ("}} stays", "}} stays"),
    ],
)
def test_render(template, expected):
    assert render(template, {"Prefix": "peer", "Index": 3, "Domain": "org1"}) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{{.Name}}",
            "unknown template field '{{.Name}}' in '{{.Name}}'; available here: "
            "{{.Prefix}}, {{.Index}}",
        ),
        (
            "{{.Index | printf}}",
            "unsupported template action '{{.Index | printf}}' in '{{.Index | printf}}'; "
            "only field references are supported here: {{.Prefix}}, {{.Index}}",
        ),
        ("peer{{.Index", "unclosed '{{' in template 'peer{{.Index'"),
    ],
)
def test_render_errors(template, message):
    with pytest.raises(TemplateError) as error:
        render(template, {"Prefix": "peer", "Index": 3})
    assert str(error.value) == message
