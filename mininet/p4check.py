"""A syntax-level look at p4/raft.p4 for machines without p4c.

It is no compiler: it strips comments, checks that braces and parentheses balance, reads
the header types, constants, tables and actions, and compares the Raft header with the
Java codec's layout (raftudp.wire.RaftHeader.Field, read from its source). The Java test
P4HeaderTest does the same comparison on the Java side. Exit status 0 when all is well.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import topo  # noqa: E402

P4_FILE = os.path.join(topo.REPO, "p4", "raft.p4")
JAVA_HEADER = os.path.join(topo.REPO, "src", "main", "java", "raftudp", "wire", "RaftHeader.java")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def header_fields(text, name):
    """[(field, bits)] of `header NAME { ... }`; ValueError on anything but `bit<N> f;`."""
    code = strip_comments(text)
    m = re.search(r"\bheader\s+%s\s*\{([^}]*)\}" % re.escape(name), code)
    if not m:
        raise ValueError("no header %s" % name)
    fields = []
    for decl in m.group(1).split(";"):
        decl = decl.strip()
        if not decl:
            continue
        f = re.fullmatch(r"bit<(\d+)>\s+(\w+)", decl)
        if not f:
            raise ValueError("header %s: unsupported declaration %r" % (name, decl))
        fields.append((f.group(2), int(f.group(1))))
    return fields


def constants(text):
    return {m.group(1): int(m.group(2), 0) for m in
            re.finditer(r"const\s+bit<\d+>\s+(\w+)\s*=\s*(0x[0-9A-Fa-f]+|\d+)\s*;", strip_comments(text))}


def java_fields(path=JAVA_HEADER):
    """[(p4Name, bits)] from `enum Field { MAGIC("magic", 16), ... }` in RaftHeader.java."""
    with open(path) as f:
        text = f.read()
    body = text[text.index("enum Field"):]
    body = body[:body.index(";")]
    return [(m.group(1), int(m.group(2))) for m in re.finditer(r'[A-Z_]+\("(\w+)",\s*(\d+)\)', body)]


def tables(text):
    """{table: [actions]} for every `table NAME { ... actions = { a; b; } ... }`."""
    code = strip_comments(text)
    out = {}
    for m in re.finditer(r"\btable\s+(\w+)\s*\{", code):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        acts = re.search(r"actions\s*=\s*\{([^}]*)\}", code[m.end():i])
        out[m.group(1)] = [a.strip() for a in acts.group(1).split(";") if a.strip()] if acts else []
    return out


def problems(text=None):
    """Everything wrong with the P4 source, as a list of sentences (empty: fine)."""
    if text is None:
        with open(P4_FILE) as f:
            text = f.read()
    code = strip_comments(text)
    out = []
    for open_, close in ("{}", "()", "[]"):
        if code.count(open_) != code.count(close):
            out.append("unbalanced %s%s: %d vs %d" % (open_, close, code.count(open_), code.count(close)))
    try:
        fields = header_fields(text, "raft_t")
        if fields != java_fields():
            out.append("header raft_t %s differs from RaftHeader.Field %s" % (fields, java_fields()))
        if sum(b for _, b in fields) != 512:
            out.append("header raft_t is %d bits, not 512" % sum(b for _, b in fields))
    except ValueError as e:
        out.append(str(e))
    consts = constants(text)
    t = topo.Topology.load()
    for cls, port in t.raft_ports.items():
        if consts.get("RAFT_PORT_" + cls.upper()) != port:
            out.append("RAFT_PORT_%s is %s, topology.json says %d" % (cls.upper(), consts.get("RAFT_PORT_" + cls.upper()), port))
    if consts.get("RAFT_MAGIC") != 0x5241 or consts.get("RAFT_VERSION") != 1:
        out.append("RAFT_MAGIC/RAFT_VERSION are not 0x5241/1")
    actions = set(re.findall(r"\baction\s+(\w+)\s*\(", code)) | {"NoAction"}
    tabs = tables(text)
    for name in (topo.LPM_TABLE, topo.PARTITION_TABLE):
        short = name.split(".")[1]
        if short not in tabs:
            out.append("no table %s" % short)
    for tab, acts in tabs.items():
        for a in acts:
            if a not in actions:
                out.append("table %s names undeclared action %s" % (tab, a))
    for a in (topo.FORWARD_ACTION, topo.DROP_ACTION, topo.PARTITION_ACTION):
        if a.split(".")[1] not in actions:
            out.append("no action %s" % a)
    fwd = re.search(r"action\s+ipv4_forward\s*\(([^)]*)\)", code)
    if fwd and [p.split()[-1] for p in fwd.group(1).split(",")] != ["srcAddr", "dstAddr", "port"]:
        out.append("ipv4_forward parameters must be (srcAddr, dstAddr, port): the runtime files use that order")
    states = set(re.findall(r"\bstate\s+(\w+)\s*\{", code)) | {"accept", "reject"}
    for parser_body in re.findall(r"\bparser\s+\w+\s*\(.*?\)\s*\{(.*?)\n\}", code, flags=re.S):
        for target in re.findall(r"transition\s+(\w+)\s*;", parser_body):
            if target not in states and target != "select":
                out.append("transition to unknown state %s" % target)
        for target in re.findall(r"(?:\w+|\))\s*:\s*(\w+)\s*;", parser_body):
            if target not in states:
                out.append("select case goes to unknown state %s" % target)
    for name in ("raft_type_counter", "raft_class_counter", "drop_counter", "loss_in_per10k", "loss_out_per10k",
                 "seen_max_term", "seen_leader_term", "seen_leader_id", "seen_leader_changes"):
        if not re.search(r"\b%s\s*;" % name, code):
            out.append("missing counter/register %s (the runner reads it)" % name)
    return out


def main():
    found = problems()
    for p in found:
        print("p4check: %s" % p)
    if not found:
        print("p4check: p4/raft.p4 looks consistent (%d header fields, tables %s); "
              "this is no compiler: p4c-bm2-ss is the real check" % (len(java_fields()), sorted(tables(open(P4_FILE).read()))))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
