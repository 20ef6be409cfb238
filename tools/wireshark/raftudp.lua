-- raftudp.lua: a Wireshark dissector for the raftudp wire format, version 1.
--
-- Written from docs/wire-format.md (the section numbers below are that file's). It decodes
-- the 64-byte header of every datagram, the body of every message type, the AUTH trailer,
-- and reassembles multi-chunk messages; whatever a receiver would drop (section 7) and can
-- be seen in the datagram itself is flagged as an expert item named after the drop reason.
--
-- Install: copy into ~/.local/lib/wireshark/plugins/ (or run tshark/wireshark with
-- -X lua_script:tools/wireshark/raftudp.lua). See docs/wireshark.md.

local raftudp = Proto.new("raftudp", "raftudp (Raft over UDP)")

-- ---------------------------------------------------------------- bit operations
-- Lua 5.2 (Wireshark up to 4.2) has bit32; Wireshark also has LuaBitOp as `bit`, whose results
-- are signed: normalise them to 0 .. 2^32 - 1.
local B = bit32
if B == nil and bit ~= nil then
    local function u(x) return x % 4294967296 end
    B = {
        band = function(...) return u(bit.band(...)) end,
        bor = function(...) return u(bit.bor(...)) end,
        bxor = function(...) return u(bit.bxor(...)) end,
        bnot = function(x) return u(bit.bnot(x)) end,
        rshift = function(x, n) return u(bit.rshift(x, n)) end,
        lshift = function(x, n) return u(bit.lshift(x, n)) end,
        rrotate = function(x, n) return u(bit.ror(x, n)) end,
    }
end
if B == nil then
    -- Lua 5.3 and later without either library: the native operators, kept to 32 bits (compiled
    -- with load() so that Lua 5.2 never parses them)
    B = load([[
        local M = 0xFFFFFFFF
        local function fold(op, a, ...)
            local r = math.tointeger(a) & M
            for _, x in ipairs({ ... }) do r = op(r, math.tointeger(x) & M) end
            return r
        end
        return {
            band = function(...) return fold(function(x, y) return x & y end, ...) end,
            bor = function(...) return fold(function(x, y) return x | y end, ...) end,
            bxor = function(...) return fold(function(x, y) return x ~ y end, ...) end,
            bnot = function(x) return ~math.tointeger(x) & M end,
            rshift = function(x, n) return (math.tointeger(x) & M) >> n end,
            lshift = function(x, n) return (math.tointeger(x) << n) & M end,
            rrotate = function(x, n)
                x = math.tointeger(x) & M
                return ((x >> n) | (x << (32 - n))) & M
            end,
        }
    ]])()
end
local band, bor, bxor, bnot = B.band, B.bor, B.bxor, B.bnot

-- ---------------------------------------------------------------- constants (sections 2-4)

local MAGIC = 0x5241
local HEADER_BYTES = 64
local MAC_BYTES = 16
local NO_NODE = 0xFFFF

local TYPE_NAMES = {
    [1] = "VoteRequest", [2] = "VoteResponse", [3] = "AppendRequest", [4] = "AppendResponse",
    [5] = "Heartbeat", [6] = "HeartbeatResponse", [7] = "SnapshotChunk", [8] = "SnapshotResponse",
    [9] = "TimeoutNow", [16] = "ClientRequest", [17] = "ClientResponse", [18] = "StatusRequest",
    [19] = "StatusResponse", [20] = "FaultRequest", [21] = "FaultResponse", [22] = "ErrorResponse",
}
local CLASS_OF = {
    [1] = "vote", [2] = "vote", [9] = "vote", [3] = "append", [4] = "append", [5] = "heartbeat",
    [6] = "heartbeat", [7] = "snapshot", [8] = "snapshot", [16] = "client", [17] = "client",
    [18] = "client", [19] = "client", [20] = "client", [21] = "client", [22] = "client",
}
local function is_raft(t) return t >= 1 and t <= 9 end
-- section 3.2: the Raft responses carry their sender's incarnation in commit_index, never 0
local CARRIES_INCARNATION = { [2] = true, [4] = true, [6] = true, [8] = true }
-- section 6: only these types have a body, and only they may be chunked
local HAS_BODY = { [3] = true, [7] = true, [16] = true, [17] = true, [19] = true, [20] = true,
                   [21] = true, [22] = true }

-- section 3.1
local F_PRE_VOTE, F_TRANSFER, F_GRANTED, F_SUCCESS, F_LAST, F_DONE, F_RESERVED6, F_AUTH =
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80
local FLAG_NAMES = { { F_PRE_VOTE, "PRE_VOTE" }, { F_TRANSFER, "TRANSFER" }, { F_GRANTED, "GRANTED" },
                     { F_SUCCESS, "SUCCESS" }, { F_LAST, "LAST" }, { F_DONE, "DONE" },
                     { F_RESERVED6, "bit6" }, { F_AUTH, "AUTH" } }
local FLAGS_ALLOWED = { [1] = F_PRE_VOTE + F_TRANSFER, [2] = F_PRE_VOTE + F_GRANTED, [4] = F_SUCCESS,
                        [7] = F_LAST, [8] = F_DONE }

local OPS = { [1] = "Put", [2] = "Get", [3] = "Delete", [4] = "Cas", [5] = "Append" }
local TAGS = { [1] = "Int", [2] = "Str", [3] = "Bytes", [4] = "List" }
local STATUSES = { [0] = "OK", [1] = "NOT_LEADER", [2] = "RETRY" }
local RESULTS = { [1] = "Ok", [2] = "Found", [3] = "NotFound", [4] = "CasFailed", [5] = "Appended",
                  [6] = "WrongType", [7] = "SessionExpired" }
local KINDS = { [0] = "NOOP", [1] = "NORMAL", [2] = "MEMBERS" }
local FAULT_OPS = { [0] = "SHOW", [1] = "SET", [2] = "CLEAR", [3] = "CLEAR_ALL" }
local ERROR_CODES = { [1] = "ADMIN_DISABLED", [2] = "AUTH_REQUIRED" }
local PRESENCE = { [0] = "absent", [1] = "present" }

-- ---------------------------------------------------------------- fields

local f = {}
local function field(key, ctor, abbr, ...) f[key] = ctor("raftudp." .. abbr, ...) end
local U8, U16, U24, U32, U64 = ProtoField.uint8, ProtoField.uint16, ProtoField.uint24, ProtoField.uint32,
    ProtoField.uint64

-- header (section 3), under the names of the spec
field("magic", U16, "magic", "magic", base.HEX)
field("version", U8, "version", "version", base.DEC)
field("msg_type", U8, "msg_type", "msg_type", base.DEC, TYPE_NAMES)
field("flags", U8, "flags", "flags", base.HEX)
local SET = { "set", "not set" }
field("flag_pre_vote", ProtoField.bool, "flags.pre_vote", "PRE_VOTE", 8, SET, F_PRE_VOTE, "a pre-vote")
field("flag_transfer", ProtoField.bool, "flags.transfer", "TRANSFER", 8, SET, F_TRANSFER,
    "campaign started by TimeoutNow")
field("flag_granted", ProtoField.bool, "flags.granted", "GRANTED", 8, SET, F_GRANTED, "the vote is granted")
field("flag_success", ProtoField.bool, "flags.success", "SUCCESS", 8, SET, F_SUCCESS, "the append succeeded")
field("flag_last", ProtoField.bool, "flags.last", "LAST", 8, SET, F_LAST, "the snapshot's last chunk")
field("flag_done", ProtoField.bool, "flags.done", "DONE", 8, SET, F_DONE, "the snapshot is installed")
field("flag_bit6", ProtoField.bool, "flags.reserved", "reserved (bit 6)", 8, SET, F_RESERVED6, "must be 0")
field("flag_auth", ProtoField.bool, "flags.auth", "AUTH", 8, SET, F_AUTH, "a 16-byte MAC trailer follows")
field("reserved", U24, "reserved", "reserved", base.HEX)
field("src_id", U16, "src_id", "src_id", base.DEC)
field("dst_id", U16, "dst_id", "dst_id", base.DEC)
field("chunk_index", U16, "chunk_index", "chunk_index", base.DEC)
field("chunk_count", U16, "chunk_count", "chunk_count", base.DEC)
field("message_id", U32, "message_id", "message_id", base.DEC)
field("payload_length", U32, "payload_length", "payload_length", base.DEC)
field("term", U64, "term", "term", base.DEC)
field("index_a", U64, "index_a", "index_a", base.DEC)
field("index_b", U64, "index_b", "index_b", base.DEC)
field("log_term", U64, "log_term", "log_term", base.DEC)
field("commit_index", U64, "commit_index", "commit_index", base.DEC)

-- the four index fields under their meaning for each type (section 3.2)
field("vote_last_log_index", U64, "vote.last_log_index", "lastLogIndex (index_a)", base.DEC)
field("vote_last_log_term", U64, "vote.last_log_term", "lastLogTerm (log_term)", base.DEC)
field("append_prev_log_index", U64, "append.prev_log_index", "prevLogIndex (index_a)", base.DEC)
field("append_last_index", U64, "append.last_index", "last index carried (index_b)", base.DEC)
field("append_prev_log_term", U64, "append.prev_log_term", "prevLogTerm (log_term)", base.DEC)
field("append_leader_commit", U64, "append.leader_commit", "leaderCommit (commit_index)", base.DEC)
field("resp_match_index", U64, "append_resp.match_index", "last index matching (index_a)", base.DEC)
field("resp_rejected_index", U64, "append_resp.rejected_index", "rejected prevLogIndex (index_a)", base.DEC)
field("resp_conflict_index", U64, "append_resp.conflict_index", "conflictIndex (index_b)", base.DEC)
field("resp_conflict_term", U64, "append_resp.conflict_term", "conflictTerm (log_term)", base.DEC)
field("hb_read_context", U64, "heartbeat.read_context", "readContext (index_a)", base.DEC)
field("hb_commit", U64, "heartbeat.commit", "commit (commit_index)", base.DEC)
field("hb_incarnation", U64, "heartbeat.receiver_incarnation", "receiver's incarnation (index_b)", base.HEX)
field("incarnation", U64, "incarnation", "incarnation (commit_index)", base.HEX)
field("snap_index", U64, "snapshot.index", "snapshotIndex (index_a)", base.DEC)
field("snap_offset", U64, "snapshot.offset", "offset (index_b)", base.DEC)
field("snap_next_offset", U64, "snapshot.next_offset", "nextOffset (index_b)", base.DEC)
field("snap_term", U64, "snapshot.term", "snapshotTerm (log_term)", base.DEC)
field("snap_checksum", U64, "snapshot.image_checksum", "imageChecksum (commit_index)", base.HEX)
field("client_id", U64, "client.client_id", "clientId (index_a)", base.DEC)
field("client_seq", U64, "client.seq", "seq (index_b)", base.DEC)
field("status_first", U64, "status.first_log_index", "firstLogIndex (index_a)", base.DEC)
field("status_last", U64, "status.last_log_index", "lastLogIndex (index_b)", base.DEC)
field("status_commit", U64, "status.commit_index", "commitIndex (commit_index)", base.DEC)
field("fault_clock", U64, "fault.sent_ms", "sender's clock, ms since 1970 (index_a)", base.DEC)
field("client_sent", U64, "client.sent_ms", "issue time, ms since 1970 (log_term, with AUTH: section 10.5)", base.DEC)

-- AUTH trailer (section 10.2)
field("mac", ProtoField.bytes, "mac", "MAC trailer (HMAC-SHA256, first 16 bytes)")
field("mac_status", ProtoField.string, "mac.status", "MAC check")
field("trailing", ProtoField.bytes, "trailing", "bytes past the length rule")
field("payload", ProtoField.bytes, "payload", "payload")
field("body", ProtoField.none, "body", "body")

-- chunks and reassembly (section 6)
field("chunk_data", ProtoField.bytes, "chunk", "chunk data")
field("reassembled_in", ProtoField.framenum, "reassembled_in", "reassembled in frame")
field("chunk_frame", ProtoField.framenum, "chunk_frame", "chunk in frame")
field("reassembled_length", U32, "reassembled_length", "reassembled body length", base.DEC)

-- entries (section 5.1) and key-value log entries (section 5.6)
field("entry_count", U32, "entries.count", "count", base.DEC)
field("entry", ProtoField.none, "entry", "entry")
field("entry_index", U64, "entry.index", "index (implied)", base.DEC)
field("entry_term", U64, "entry.term", "term", base.DEC)
field("entry_kind", U8, "entry.kind", "kind", base.DEC, KINDS)
field("entry_length", U32, "entry.length", "length", base.DEC)
field("entry_data", ProtoField.bytes, "entry.data", "data")
field("members", ProtoField.none, "members", "membership")
field("members_count", U16, "members.count", "count", base.DEC)
field("member", ProtoField.none, "member", "member")
field("member_id", U16, "member.id", "id", base.DEC)
field("member_incarnation", U64, "member.incarnation", "incarnation", base.HEX)
field("kv", ProtoField.none, "kv", "key-value log entry")
field("kv_version", U8, "kv.version", "version", base.DEC)
field("kv_client_id", U64, "kv.client_id", "clientId", base.DEC)
field("kv_seq", ProtoField.int64, "kv.seq", "seq", base.DEC)
field("kv_timestamp", ProtoField.int64, "kv.timestamp", "timestampMs", base.DEC)

-- commands and values (section 5.3)
field("command", ProtoField.none, "command", "command")
field("op", U8, "command.op", "op", base.DEC, OPS)
field("key_length", U16, "command.key_length", "keyLength", base.DEC)
field("key", ProtoField.string, "command.key", "key", base.UNICODE)
field("presence", U8, "presence", "presence", base.DEC, PRESENCE)
field("value", ProtoField.none, "value", "value")
field("value_tag", U8, "value.tag", "tag", base.DEC, TAGS)
field("value_int", ProtoField.int64, "value.int", "Int", base.DEC)
field("value_length", U32, "value.length", "length", base.DEC)
field("value_str", ProtoField.string, "value.str", "Str", base.UNICODE)
field("value_bytes", ProtoField.bytes, "value.bytes", "Bytes")
field("value_count", U32, "value.count", "count", base.DEC)

-- client responses and results (section 5.4)
field("resp_status", U8, "response.status", "status", base.DEC, STATUSES)
field("leader_hint", U16, "response.leader_hint", "leaderHint", base.DEC)
field("result", ProtoField.none, "result", "result")
field("result_code", U8, "result.code", "code", base.DEC, RESULTS)
field("result_size", ProtoField.int64, "result.size", "size", base.DEC)

-- status (section 5.5)
field("st_leader", U16, "status.leader", "leaderId", base.DEC)
field("st_applied", U64, "status.applied", "appliedIndex", base.DEC)
field("st_role_length", U8, "status.role_length", "roleLength", base.DEC)
field("st_role", ProtoField.string, "status.role", "role", base.ASCII)
field("st_peer_count", U16, "status.peer_count", "peerCount", base.DEC)
field("st_peer", ProtoField.none, "status.peer", "peer")
field("st_peer_id", U16, "status.peer.id", "peerId", base.DEC)
field("st_peer_match", U64, "status.peer.match_index", "matchIndex", base.DEC)
field("st_counter_count", U16, "status.counter_count", "counterCount", base.DEC)
field("st_counter", ProtoField.none, "status.counter", "counter")
field("st_counter_name_length", U8, "status.counter.name_length", "nameLength", base.DEC)
field("st_counter_name", ProtoField.string, "status.counter.name", "name", base.ASCII)
field("st_counter_value", ProtoField.int64, "status.counter.value", "value", base.DEC)

-- fault rules (section 5.7)
field("fault_op", U8, "fault.op", "op", base.DEC, FAULT_OPS)
field("fault_count", U16, "fault.count", "count", base.DEC)
field("fault_rule", ProtoField.none, "fault.rule", "rule")
field("fault_target_length", U8, "fault.target_length", "target length", base.DEC)
field("fault_target", ProtoField.ipv4, "fault.target", "target")
field("fault_default", ProtoField.string, "fault.target_default", "target")
field("fault_loss", U32, "fault.loss_ppm", "lossPpm", base.DEC)
field("fault_delay", U32, "fault.delay_ms", "delayMs", base.DEC)
field("fault_jitter", U32, "fault.jitter_ms", "jitterMs", base.DEC)
field("fault_dup", U32, "fault.duplicate_ppm", "duplicatePpm", base.DEC)

-- error response (section 5.8)
field("err_code", U8, "error.code", "code", base.DEC, ERROR_CODES)
field("err_text_length", U16, "error.text_length", "textLength", base.DEC)
field("err_text", ProtoField.string, "error.text", "text", base.UNICODE)

-- snapshot chunk body (section 5.2)
field("snap_total", U64, "snapshot.total_bytes", "totalBytes", base.DEC)
field("snap_length", U32, "snapshot.length", "length", base.DEC)
field("snap_data", ProtoField.bytes, "snapshot.data", "data")

local all_fields = {}
for _, v in pairs(f) do all_fields[#all_fields + 1] = v end
raftudp.fields = all_fields

-- ---------------------------------------------------------------- expert items (section 7)

local E = {}
local DROP_REASONS = {
    SHORT = { expert.group.MALFORMED, "fewer than 64 bytes" },
    BAD_MAGIC = { expert.group.PROTOCOL, "magic is not 0x5241" },
    BAD_VERSION = { expert.group.PROTOCOL, "version is not 1" },
    UNKNOWN_TYPE = { expert.group.PROTOCOL, "msg_type not in section 4" },
    TRUNCATED = { expert.group.MALFORMED, "datagram shorter than the length rule says" },
    TRAILING_BYTES = { expert.group.MALFORMED, "datagram longer than the length rule says" },
    BAD_FLAGS = { expert.group.PROTOCOL, "a flag bit not allowed for the type" },
    BAD_FIELD = { expert.group.PROTOCOL, "a reserved or unused field is not 0, or a field out of range" },
    BAD_CHUNK = { expert.group.PROTOCOL, "chunk fields a receiver refuses" },
    BAD_MAC = { expert.group.SECURITY, "the MAC trailer is not the MAC under the configured key" },
    MALFORMED_BODY = { expert.group.MALFORMED, "the body breaks section 5" },
    TERM_CEILING = { expert.group.PROTOCOL, "term above 2^48" },
    BAD_ENTRY = { expert.group.PROTOCOL, "an entry the key-value store could never apply" },
    BAD_SESSION = { expert.group.PROTOCOL, "clientId set and seq 0" },
}
local expert_list = {}
for name, d in pairs(DROP_REASONS) do
    E[name] = ProtoExpert.new("raftudp.drop." .. name:lower(), name .. ": " .. d[2], d[1], expert.severity.ERROR)
    expert_list[#expert_list + 1] = E[name]
end
E.mac_unverified = ProtoExpert.new("raftudp.mac.unverified", "MAC not verified (no key)",
    expert.group.SECURITY, expert.severity.NOTE)
E.mac_ok = ProtoExpert.new("raftudp.mac.ok", "MAC verified", expert.group.SECURITY, expert.severity.CHAT)
E.chunk = ProtoExpert.new("raftudp.chunk.info", "one chunk of a multi-chunk message",
    expert.group.REASSEMBLE, expert.severity.CHAT)
expert_list[#expert_list + 1] = E.mac_unverified
expert_list[#expert_list + 1] = E.mac_ok
expert_list[#expert_list + 1] = E.chunk
raftudp.experts = expert_list

-- ---------------------------------------------------------------- preferences

local DEFAULT_PORTS = { vote = 0x9997, heartbeat = 0x9996, append = 0x9998, client = 0x9994, snapshot = 0x9995 }
raftudp.prefs.vote_port = Pref.uint("Vote port", DEFAULT_PORTS.vote,
    "UDP port of the vote class: VoteRequest, VoteResponse, TimeoutNow (default 39319 = 0x9997)")
raftudp.prefs.heartbeat_port = Pref.uint("Heartbeat port", DEFAULT_PORTS.heartbeat,
    "UDP port of the heartbeat class: Heartbeat, HeartbeatResponse (default 39318 = 0x9996)")
raftudp.prefs.append_port = Pref.uint("Append port", DEFAULT_PORTS.append,
    "UDP port of the append class: AppendRequest, AppendResponse (default 39320 = 0x9998)")
raftudp.prefs.client_port = Pref.uint("Client port", DEFAULT_PORTS.client,
    "UDP port of the client class: client, status, fault and error messages (default 39316 = 0x9994)")
raftudp.prefs.snapshot_port = Pref.uint("Snapshot port", DEFAULT_PORTS.snapshot,
    "UDP port of the snapshot class: SnapshotChunk, SnapshotResponse (default 39317 = 0x9995)")
raftudp.prefs.reassemble = Pref.bool("Reassemble multi-chunk messages", true,
    "Put the chunks of a message back together and decode its body in the frame of its last chunk")
raftudp.prefs.key_file = Pref.string("Cluster key file", "",
    "The cluster's key file (raft-node --cluster-key): verify the MAC trailer of AUTH datagrams. Empty: not verified")

local udp_port_table = DissectorTable.get("udp.port")
local registered_ports = {}
local cluster_key = nil          -- the key's bytes as a Lua string, when a key file is set and readable
local cluster_key_problem = nil  -- why the configured key file gives no key

local function register_ports()
    for _, port in ipairs(registered_ports) do udp_port_table:remove(port, raftudp) end
    registered_ports = {}
    for _, name in ipairs({ "vote_port", "heartbeat_port", "append_port", "client_port", "snapshot_port" }) do
        local port = raftudp.prefs[name]
        if port ~= nil and port > 0 and port <= 65535 then
            udp_port_table:add(port, raftudp)
            registered_ports[#registered_ports + 1] = port
        end
    end
end

local function load_key()
    cluster_key, cluster_key_problem = nil, nil
    local path = raftudp.prefs.key_file
    if path == nil or path == "" then return end
    local fh, err = io.open(path, "rb")
    if fh == nil then cluster_key_problem = "cannot read " .. path .. ": " .. tostring(err); return end
    local key = fh:read("*a") or ""
    fh:close()
    -- section 10.3: the file's bytes less one trailing \n or \r\n
    if key:sub(-2) == "\r\n" then key = key:sub(1, -3) elseif key:sub(-1) == "\n" then key = key:sub(1, -2) end
    if #key < 16 or #key > 1024 then
        cluster_key_problem = "the key in " .. path .. " has " .. #key .. " bytes, not 16 .. 1024"
        return
    end
    cluster_key = key
end

function raftudp.prefs_changed()
    register_ports()
    load_key()
end

-- ---------------------------------------------------------------- SHA-256 and HMAC (section 10.2)
-- Written from FIPS 180-4; the round constants are computed from the primes as the standard
-- defines them, and the implementation checks itself against the digest of "abc" on load.

local sha256_K, sha256_H0 = {}, {}
do
    local primes, n = {}, 2
    while #primes < 64 do
        local prime = true
        for _, p in ipairs(primes) do
            if p * p > n then break end
            if n % p == 0 then prime = false; break end
        end
        if prime then primes[#primes + 1] = n end
        n = n + 1
    end
    local function frac32(x) return math.floor((x - math.floor(x)) * 4294967296) end
    for i = 1, 64 do
        local p = primes[i]
        local r = p ^ (1 / 3)
        r = r - (r * r * r - p) / (3 * r * r)         -- one Newton step: the last bits right
        sha256_K[i] = frac32(r)
        if i <= 8 then
            local s = math.sqrt(p)
            sha256_H0[i] = frac32(s)
        end
    end
end

local function sha256(msg)
    local rrot, rsh = B.rrotate, B.rshift
    local ml = #msg
    local bits = ml * 8
    local tail = { "\128", string.rep("\0", (55 - ml) % 64) }
    for i = 7, 0, -1 do tail[#tail + 1] = string.char(math.floor(bits / 2 ^ (8 * i)) % 256) end
    msg = msg .. table.concat(tail)
    local h = { sha256_H0[1], sha256_H0[2], sha256_H0[3], sha256_H0[4], sha256_H0[5], sha256_H0[6],
                sha256_H0[7], sha256_H0[8] }
    local w = {}
    local K = sha256_K
    for block = 1, #msg, 64 do
        for t = 1, 16 do
            local b1, b2, b3, b4 = msg:byte(block + 4 * t - 4, block + 4 * t - 1)
            w[t] = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
        end
        for t = 17, 64 do
            local x, y = w[t - 15], w[t - 2]
            local s0 = bxor(rrot(x, 7), rrot(x, 18), rsh(x, 3))
            local s1 = bxor(rrot(y, 17), rrot(y, 19), rsh(y, 10))
            w[t] = (w[t - 16] + s0 + w[t - 7] + s1) % 4294967296
        end
        local a, b, c, d, e, ff, g, hh = h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
        for t = 1, 64 do
            local S1 = bxor(rrot(e, 6), rrot(e, 11), rrot(e, 25))
            local ch = bxor(band(e, ff), band(bnot(e), g))
            local t1 = hh + S1 + ch + K[t] + w[t]
            local S0 = bxor(rrot(a, 2), rrot(a, 13), rrot(a, 22))
            local maj = bxor(band(a, b), band(a, c), band(b, c))
            hh, g, ff, e, d, c, b, a = g, ff, e, (d + t1) % 4294967296, c, b, a, (t1 + S0 + maj) % 4294967296
        end
        h[1], h[2], h[3], h[4] = (h[1] + a) % 4294967296, (h[2] + b) % 4294967296, (h[3] + c) % 4294967296,
            (h[4] + d) % 4294967296
        h[5], h[6], h[7], h[8] = (h[5] + e) % 4294967296, (h[6] + ff) % 4294967296, (h[7] + g) % 4294967296,
            (h[8] + hh) % 4294967296
    end
    local out = {}
    for i = 1, 8 do
        local v = h[i]
        out[i] = string.char(math.floor(v / 16777216) % 256, math.floor(v / 65536) % 256,
            math.floor(v / 256) % 256, v % 256)
    end
    return table.concat(out)
end

local function xor_bytes(s, byte)
    local out = {}
    for i = 1, #s do out[i] = string.char(bxor(s:byte(i), byte)) end
    return table.concat(out)
end

local function hmac_sha256(key, msg)
    if #key > 64 then key = sha256(key) end
    key = key .. string.rep("\0", 64 - #key)
    return sha256(xor_bytes(key, 0x5c) .. sha256(xor_bytes(key, 0x36) .. msg))
end

local function tohex(s)
    return (s:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

local sha256_works = tohex(sha256("abc")) ==
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

-- ---------------------------------------------------------------- small helpers

local TWO32 = 4294967296

-- a u64 TvbRange's value as two numbers (high, low 32 bits): exact, unlike a double
local function u64_parts(range)
    return range:range(0, 4):uint(), range:range(4, 4):uint()
end
local function u64_is_zero(range)
    local hi, lo = u64_parts(range)
    return hi == 0 and lo == 0
end
local function u64_over_63(range) return u64_parts(range) >= 0x80000000 end
local function u64_text(range) return tostring(range:uint64()) end
-- an incarnation: "0x1a2b" (exact for all 64 bits)
local function u64_hex(range)
    local hi, lo = u64_parts(range)
    if hi == 0 then return string.format("0x%x", lo) end
    return string.format("0x%x%08x", hi, lo)
end

-- " (2023-11-14T22:13:20.123Z)" for a u64 range of milliseconds since 1970, within years 1970 .. 9999
local function ms_date(range)
    local hi, lo = u64_parts(range)
    local ms = hi * TWO32 + lo
    if hi >= 0x80000000 or ms >= 253402300800000 then return "" end
    local secs = math.floor(ms / 1000)
    local ok, text = pcall(os.date, "!%Y-%m-%dT%H:%M:%S", secs)
    if not ok or text == nil then return "" end
    return string.format(" (%s.%03dZ)", text, ms % 1000)
end

-- a node id for the Info column; 0xFFFF is a client, "any" node (the dst of a request) or none
local function node_text(id, when_none)
    if id == NO_NODE then return when_none or "none" end
    return tostring(id)
end

-- strictly well-formed UTF-8 (section 5.3): no overlong forms, no surrogates, nothing above
-- U+10FFFF, no truncated sequence. Returns nil when valid, else what is wrong.
local function utf8_problem(s)
    if not s:find("[\128-\255]") then return nil end
    local i, n = 1, #s
    while i <= n do
        local c = s:byte(i)
        if c < 0x80 then
            i = i + 1
        else
            local len, min
            if c == 0xC0 or c == 0xC1 then return string.format("overlong UTF-8 form at %d", i - 1)
            elseif c >= 0xC2 and c <= 0xDF then len, min = 2, 0x80
            elseif c >= 0xE0 and c <= 0xEF then len, min = 3, 0x800
            elseif c >= 0xF0 and c <= 0xF4 then len, min = 4, 0x10000
            else return string.format("byte 0x%02x at %d cannot start a UTF-8 sequence", c, i - 1) end
            if i + len - 1 > n then return "truncated UTF-8 sequence at " .. (i - 1) end
            local cp = band(c, len == 2 and 0x1F or (len == 3 and 0x0F or 0x07))
            for k = 1, len - 1 do
                local cc = s:byte(i + k)
                if cc < 0x80 or cc > 0xBF then return "bad UTF-8 continuation byte at " .. (i + k - 1) end
                cp = cp * 64 + (cc - 0x80)
            end
            if cp < min then return "overlong UTF-8 form at " .. (i - 1) end
            if cp >= 0xD800 and cp <= 0xDFFF then return "encoded surrogate at " .. (i - 1) end
            if cp > 0x10FFFF then return "code point above U+10FFFF at " .. (i - 1) end
            i = i + len
        end
    end
    return nil
end

local function quote(s, max)
    max = max or 48
    local cut = #s > max
    if cut then s = s:sub(1, max) end
    s = s:gsub("[%c\"\\]", function(c) return string.format("\\x%02x", c:byte()) end)
    return '"' .. s .. '"' .. (cut and "..." or "")
end

local function hex_preview(s, max)
    max = max or 16
    return tohex(s:sub(1, max)) .. (#s > max and "..." or "")
end

-- ---------------------------------------------------------------- body reader
-- Every read is checked against the end of the body; a read past it, an unknown code, a value
-- out of range or bytes left over raise a Malformed error (a table), caught per body.

local Malformed = {}
Malformed.__index = Malformed
local function malformed(text, item)
    error(setmetatable({ text = text, item = item }, Malformed), 0)
end

local Reader = {}
Reader.__index = Reader
local function reader(tvb, offset, length)
    return setmetatable({ tvb = tvb, pos = offset, stop = offset + length, start = offset }, Reader)
end
function Reader:left() return self.stop - self.pos end
-- a range at the reader's position to hang a subtree on (its length is set when it is read)
function Reader:here() return self.tvb:range(self.pos, math.min(1, self.stop - self.pos)) end
function Reader:take(n, what)
    if n > self.stop - self.pos then
        malformed(string.format("%s: %d bytes needed at body offset %d, %d left", what, n,
            self.pos - self.start, self.stop - self.pos))
    end
    local r = self.tvb:range(self.pos, n)
    self.pos = self.pos + n
    return r
end
function Reader:done(what)
    local left = self.stop - self.pos
    if left ~= 0 then
        malformed(string.format("%d bytes left over after the %s", left, what))
    end
end

-- adds field fld for the next n bytes; returns the item and the range
local function put(tree, r, fld, n, what)
    local range = r:take(n, what)
    return tree:add(fld, range), range
end

local function put_str(tree, r, fld, n, what, ascii)
    local range = r:take(n, what)
    local item
    if n == 0 then
        item = tree:add(fld, range, "")
    else
        item = tree:add_packet_field(fld, range, ascii and ENC_ASCII or ENC_UTF_8)
    end
    return item, range
end

-- section 5.3: a value or a scalar; returns a short text
local function dissect_value(tree, r, label, scalar_only)
    local start = r.pos
    local vt = tree:add(f.value, r:here())
    vt:set_text(label)
    local tag_item, tag_range = put(vt, r, f.value_tag, 1, label .. " tag")
    local tag = tag_range:uint()
    local text
    if tag == 1 then
        local _, range = put(vt, r, f.value_int, 8, "Int")
        text = "Int " .. tostring(range:int64())
    elseif tag == 2 or tag == 3 then
        local _, lr = put(vt, r, f.value_length, 4, "length")
        local n = lr:uint()
        if n > r:left() then
            malformed(string.format("%s length %d past the end (%d bytes left)", label, n, r:left()))
        end
        if tag == 2 then
            local item, range = put_str(vt, r, f.value_str, n, "Str")
            local raw = n > 0 and range:raw() or ""
            local bad = utf8_problem(raw)
            if bad then malformed("invalid UTF-8 in a Str: " .. bad, item) end
            text = "Str " .. quote(raw)
        else
            local range = r:take(n, "Bytes")
            if n > 0 then vt:add(f.value_bytes, range) else vt:add(f.value_bytes, range, "") end
            text = string.format("Bytes (%d) %s", n, hex_preview(n > 0 and range:raw() or ""))
        end
    elseif tag == 4 and not scalar_only then
        local _, cr = put(vt, r, f.value_count, 4, "list count")
        local count = cr:uint()
        if count > r:left() / 5 then
            malformed(string.format("list count %d past the end (%d bytes left)", count, r:left()))
        end
        local items = {}
        for i = 1, count do
            local t = dissect_value(vt, r, "item " .. (i - 1), true)
            if i <= 4 then items[#items + 1] = t end
        end
        text = string.format("List of %d [%s%s]", count, table.concat(items, ", "), count > 4 and ", ..." or "")
    elseif tag == 4 then
        malformed("a List where a scalar belongs (lists do not nest)", tag_item)
    else
        malformed("unknown value tag " .. tag, tag_item)
    end
    vt:set_len(r.pos - start)
    vt:set_text(label .. ": " .. text)
    return text
end

local function dissect_optional(tree, r, label)
    local item, range = put(tree, r, f.presence, 1, "presence")
    local p = range:uint()
    if p == 0 then return "absent" end
    if p ~= 1 then malformed("presence " .. p .. " (0 or 1)", item) end
    return dissect_value(tree, r, label)
end

-- section 5.3: a command; returns a short text such as: Put "k" = Int 0
local function dissect_command(tree, r)
    local start = r.pos
    local ct = tree:add(f.command, r:here())
    local op_item, op_range = put(ct, r, f.op, 1, "op")
    local op = op_range:uint()
    if OPS[op] == nil then malformed("unknown op " .. op, op_item) end
    local kl_item, kl_range = put(ct, r, f.key_length, 2, "key length")
    local kl = kl_range:uint()
    if kl < 1 or kl > 1024 then malformed("key length " .. kl .. " (1 .. 1024)", kl_item) end
    local key_item, key_range = put_str(ct, r, f.key, kl, "key")
    local key = key_range:raw()
    local bad = utf8_problem(key)
    if bad then malformed("invalid UTF-8 in the key: " .. bad, key_item) end
    local text = OPS[op] .. " " .. quote(key, 32)
    if op == 1 or op == 5 then
        text = text .. (op == 1 and " = " or " += ") .. dissect_value(ct, r, "value", true)
    elseif op == 4 then
        local expected = dissect_optional(ct, r, "expected")
        local update = dissect_value(ct, r, "update", true)
        text = text .. " if " .. expected .. " then " .. update
    end
    ct:set_len(r.pos - start)
    ct:set_text("command: " .. text)
    return text
end

-- section 5.6: the data of a NORMAL entry. Problems here are BAD_ENTRY (section 7.1), not
-- MALFORMED_BODY: the data is opaque to the format.
local function dissect_kv_entry(tree, tvb, offset, length)
    local r = reader(tvb, offset, length)
    local kt = tree:add(f.kv, tvb:range(offset, length))
    local ver_item, vr = put(kt, r, f.kv_version, 1, "entry version")
    if vr:uint() ~= 1 then malformed("key-value entry version " .. vr:uint() .. " (1)", ver_item) end
    local cid_item, cid = put(kt, r, f.kv_client_id, 8, "clientId")
    local seq_item, seq = put(kt, r, f.kv_seq, 8, "seq")
    local ts_item, ts = put(kt, r, f.kv_timestamp, 8, "timestampMs")
    if u64_over_63(ts) then malformed("negative timestampMs", ts_item) end
    ts_item:append_text(ms_date(ts))
    if u64_over_63(seq) then malformed("negative seq", seq_item) end
    if not u64_is_zero(cid) and u64_is_zero(seq) then malformed("seq 0 with a clientId", seq_item) end
    local text = dissect_command(kt, r)
    r:done("key-value entry")
    kt:set_text(string.format("key-value entry: clientId %s seq %s: %s", u64_text(cid),
        tostring(seq:int64()), text))
    return text
end

-- section 5.1: the data of a MEMBERS entry, the cluster's membership. Problems here are
-- MALFORMED_BODY (the decoder checks it with the entries), not BAD_ENTRY.
local function dissect_members(tree, tvb, offset, length)
    local r = reader(tvb, offset, length)
    local mt = tree:add(f.members, r:here())
    local count_item, cr = put(mt, r, f.members_count, 2, "members count")
    local count = cr:uint()
    if count < 1 then malformed("a membership of no members", count_item) end
    if length ~= 2 + 10 * count then
        malformed(string.format("a membership of %d members is %d bytes, not %d", count, 2 + 10 * count, length),
            count_item)
    end
    local last, texts = -1, {}
    for _ = 1, count do
        local mi = mt:add(f.member, r:here())
        local id_item, ir = put(mi, r, f.member_id, 2, "member id")
        local inc_item, incr = put(mi, r, f.member_incarnation, 8, "member incarnation")
        local id = ir:uint()
        mi:set_len(10)
        mi:set_text(string.format("member %d: incarnation %s", id, u64_hex(incr)))
        if id > 0xFFFE then malformed("member id 65535", id_item) end
        if id <= last then malformed(string.format("member ids not strictly ascending: %d after %d", id, last), id_item) end
        if u64_is_zero(incr) or u64_over_63(incr) then
            malformed("member " .. id .. ": incarnation " .. u64_hex(incr) .. " not in 1 .. 2^63 - 1", inc_item)
        end
        last = id
        texts[#texts + 1] = id .. "=" .. u64_hex(incr)
    end
    r:done("membership")
    mt:set_len(length)
    local text = "members " .. table.concat(texts, " ")
    mt:set_text("membership: " .. table.concat(texts, " "))
    return text
end

-- section 5.1
local function dissect_entries(tree, r, h, ctx)
    local _, cr = put(tree, r, f.entry_count, 4, "entry count")
    local count = cr:uint()
    if count > r:left() / 13 then
        malformed(string.format("entry count %d past the end (%d bytes left)", count, r:left()))
    end
    -- index_b must be index_a + count
    local ahi, alo = u64_parts(h.index_a)
    local bhi, blo = u64_parts(h.index_b)
    local sum_lo = alo + count
    local sum_hi = ahi + math.floor(sum_lo / TWO32)
    sum_lo = sum_lo % TWO32
    if sum_hi ~= bhi or sum_lo ~= blo then
        malformed(string.format("index_b %s is not prevLogIndex %s + %d entries", u64_text(h.index_b),
            u64_text(h.index_a), count))
    end
    local first = h.index_a:uint64() + UInt64.new(1)
    local kinds = {}
    for i = 0, count - 1 do
        local start = r.pos
        local et = tree:add(f.entry, r:here())
        local idx = first + UInt64.new(i)
        et:add(f.entry_index, r.tvb:range(r.pos, 0), idx):set_generated()
        local term_item, term = put(et, r, f.entry_term, 8, "entry term")
        local kind_item, kr = put(et, r, f.entry_kind, 1, "entry kind")
        local _, lr = put(et, r, f.entry_length, 4, "entry data length")
        local n = lr:uint()
        if n > r:left() then
            malformed(string.format("entry data length %d past the end (%d bytes left)", n, r:left()))
        end
        local kind = kr:uint()
        if u64_over_63(term) or u64_is_zero(term) then malformed("entry term not in 1 .. 2^63 - 1", term_item) end
        if KINDS[kind] == nil then malformed("unknown entry kind " .. kind, kind_item) end
        local data_offset = r.pos
        local dr = r:take(n, "entry data")
        local summary = ""
        if kind == 2 then
            if n > 0 then et:add(f.entry_data, dr) end
            summary = ": " .. dissect_members(et, r.tvb, data_offset, n)
        elseif n > 0 then
            local data_item = et:add(f.entry_data, dr)
            if kind == 1 then
                local ok, res = pcall(dissect_kv_entry, et, r.tvb, data_offset, n)
                if ok then
                    summary = ": " .. res
                elseif getmetatable(res) == Malformed then
                    summary = ": not a key-value entry"
                    ;(res.item or data_item):add_proto_expert_info(E.BAD_ENTRY, "BAD_ENTRY: " .. res.text)
                    ctx.entry_problem = true
                else
                    error(res, 0)
                end
            else
                data_item:add_proto_expert_info(E.BAD_ENTRY, "BAD_ENTRY: a NOOP entry with data")
                ctx.entry_problem = true
            end
        elseif kind == 1 then
            et:add_proto_expert_info(E.BAD_ENTRY, "BAD_ENTRY: a NORMAL entry without data")
            ctx.entry_problem = true
        end
        et:set_len(r.pos - start)
        et:set_text(string.format("entry %s: term %s, %s, %d bytes%s", tostring(idx), u64_text(term),
            KINDS[kind], n, summary))
        kinds[#kinds + 1] = KINDS[kind]
    end
    if count == 0 then
        ctx.info[#ctx.info + 1] = "probe"
    else
        ctx.info[#ctx.info + 1] = string.format("%d entr%s (%s..%s)", count, count == 1 and "y" or "ies",
            tostring(first), tostring(first + UInt64.new(count - 1)))
    end
end

-- section 5.2
local function dissect_snapshot(tree, r, h, ctx)
    local total_item, total = put(tree, r, f.snap_total, 8, "totalBytes")
    if u64_over_63(total) then malformed("totalBytes above 2^63 - 1", total_item) end
    local len_item, lr = put(tree, r, f.snap_length, 4, "length")
    local n = lr:uint()
    if n > r:left() then malformed(string.format("length %d past the end (%d bytes left)", n, r:left()), len_item) end
    local dr = r:take(n, "snapshot data")
    if n > 0 then tree:add(f.snap_data, dr) end
    -- offset + length <= totalBytes
    local thi, tlo = u64_parts(total)
    local ohi, olo = u64_parts(h.index_b)
    local end_lo = olo + n
    local end_hi = ohi + math.floor(end_lo / TWO32)
    end_lo = end_lo % TWO32
    if end_hi > thi or (end_hi == thi and end_lo > tlo) then
        malformed(string.format("offset %s + length %d past totalBytes %s", u64_text(h.index_b), n,
            u64_text(total)), len_item)
    end
    ctx.info[#ctx.info + 1] = string.format("%d of %s bytes", n, u64_text(total))
end

-- section 5.4
local function dissect_result(tree, r)
    local start = r.pos
    local rt = tree:add(f.result, r:here())
    local code_item, cr = put(rt, r, f.result_code, 1, "result code")
    local code = cr:uint()
    local text = RESULTS[code]
    if text == nil then malformed("unknown result code " .. code, code_item) end
    if code == 1 or code == 4 then
        local v = dissect_optional(rt, r, code == 1 and "previous" or "current")
        text = text .. (code == 1 and " previous " or " current ") .. v
    elseif code == 2 then
        text = text .. " " .. dissect_value(rt, r, "value")
    elseif code == 5 then
        local item, sr = put(rt, r, f.result_size, 8, "size")
        if u64_over_63(sr) then malformed("negative size", item) end
        text = text .. " size " .. tostring(sr:int64())
    end
    rt:set_len(r.pos - start)
    rt:set_text("result: " .. text)
    return text
end

local function dissect_client_response(tree, r, h, ctx)
    local st_item, sr = put(tree, r, f.resp_status, 1, "status")
    local status = sr:uint()
    if STATUSES[status] == nil then malformed("unknown status " .. status, st_item) end
    local hint_item, hr = put(tree, r, f.leader_hint, 2, "leader hint")
    if hr:uint() == NO_NODE then hint_item:append_text(" (unknown)") end
    local text = STATUSES[status]
    if status == 0 then
        text = text .. " " .. dissect_result(tree, r)
    elseif hr:uint() ~= NO_NODE then
        text = text .. " leader " .. hr:uint()
    end
    ctx.info[#ctx.info + 1] = text
end

local NAME_CHARS = "^[A-Za-z0-9._-]+$"

local function read_name(tree, r, len_field, name_field, what)
    local len_item, lr = put(tree, r, len_field, 1, what .. " length")
    local n = lr:uint()
    if n < 1 or n > 64 then malformed(string.format("%s length %d (1 .. 64)", what, n), len_item) end
    local item, range = put_str(tree, r, name_field, n, what, true)
    local s = range:raw()
    if not s:find(NAME_CHARS) then malformed(what .. " " .. quote(s) .. " uses characters outside A-Z a-z 0-9 . _ -", item) end
    return s
end

-- section 5.5
local function dissect_status(tree, r, h, ctx)
    local leader_item, lr = put(tree, r, f.st_leader, 2, "leaderId")
    local leader = lr:uint()
    if leader == NO_NODE then leader_item:append_text(" (none)") end
    local applied_item, ar = put(tree, r, f.st_applied, 8, "appliedIndex")
    if u64_over_63(ar) then malformed("appliedIndex above 2^63 - 1", applied_item) end
    local role = read_name(tree, r, f.st_role_length, f.st_role, "role")
    local pc_item, pcr = put(tree, r, f.st_peer_count, 2, "peer count")
    local peers = pcr:uint()
    if peers > r:left() / 10 then malformed(string.format("peer count %d past the end", peers), pc_item) end
    local last = -1
    for _ = 1, peers do
        local pt = tree:add(f.st_peer, r:here())
        local id_item, ir = put(pt, r, f.st_peer_id, 2, "peer id")
        local m_item, mr = put(pt, r, f.st_peer_match, 8, "match index")
        local id = ir:uint()
        pt:set_len(10)
        pt:set_text(string.format("peer %d: matchIndex %s", id, u64_text(mr)))
        if id > 0xFFFE then malformed("peer id 65535", id_item) end
        if id <= last then malformed("peer ids not strictly ascending", id_item) end
        if u64_over_63(mr) then malformed("matchIndex above 2^63 - 1", m_item) end
        last = id
    end
    local cc_item, ccr = put(tree, r, f.st_counter_count, 2, "counter count")
    local count = ccr:uint()
    if count > r:left() / 10 then malformed(string.format("counter count %d past the end", count), cc_item) end
    local last_name = nil
    for _ = 1, count do
        local start = r.pos
        local ct = tree:add(f.st_counter, r:here())
        local name = read_name(ct, r, f.st_counter_name_length, f.st_counter_name, "counter name")
        local _, vr = put(ct, r, f.st_counter_value, 8, "counter value")
        ct:set_len(r.pos - start)
        ct:set_text(name .. " = " .. tostring(vr:int64()))
        if last_name ~= nil and name <= last_name then malformed("counter names not strictly ascending", ct) end
        last_name = name
    end
    ctx.info[#ctx.info + 1] = string.format("%s leader %s applied %s, %d peers, %d counters", role,
        node_text(leader), u64_text(ar), peers, count)
end

-- section 5.7
local function dissect_target(tree, r)
    local len_item, lr = put(tree, r, f.fault_target_length, 1, "target length")
    local n = lr:uint()
    if n == 0 then
        tree:add(f.fault_default, lr, "default (every destination without a rule of its own)"):set_generated()
        return "default", -1
    end
    if n ~= 4 then malformed("target length " .. n .. " (0 or 4)", len_item) end
    local _, ar = put(tree, r, f.fault_target, 4, "target address")
    return tostring(ar:ipv4()), ar:uint()
end

local function dissect_rule(tree, r)
    local loss_item, loss = put(tree, r, f.fault_loss, 4, "lossPpm")
    local _, delay = put(tree, r, f.fault_delay, 4, "delayMs")
    local _, jitter = put(tree, r, f.fault_jitter, 4, "jitterMs")
    local dup_item, dup = put(tree, r, f.fault_dup, 4, "duplicatePpm")
    local l, d, j, u = loss:uint(), delay:uint(), jitter:uint(), dup:uint()
    if l > 1000000 then malformed("lossPpm " .. l .. " above 1000000", loss_item) end
    if u > 1000000 then malformed("duplicatePpm " .. u .. " above 1000000", dup_item) end
    if d + j > 10000 then malformed("delayMs + jitterMs = " .. (d + j) .. " above 10000", tree) end
    return l, d, j, u
end

local function rule_text(target, l, d, j, u)
    return string.format("%s: loss %.4g %%, delay %d ms, jitter %d ms, dup %.4g %%", target, l / 10000, d, j, u / 10000)
end

local function dissect_fault_request(tree, r, h, ctx)
    local op_item, opr = put(tree, r, f.fault_op, 1, "fault op")
    local op = opr:uint()
    if FAULT_OPS[op] == nil then malformed("unknown fault op " .. op, op_item) end
    local text = FAULT_OPS[op]
    if op == 1 or op == 2 then
        local start = r.pos
        local rt = tree:add(f.fault_rule, r:here())
        local target = dissect_target(rt, r)
        if op == 1 then
            local l, d, j, u = dissect_rule(rt, r)
            rt:set_text("rule " .. rule_text(target, l, d, j, u))
            text = text .. " " .. rule_text(target, l, d, j, u)
        else
            rt:set_text("target " .. target)
            text = text .. " " .. target
        end
        rt:set_len(r.pos - start)
    end
    ctx.info[#ctx.info + 1] = text
end

local function dissect_fault_response(tree, r, h, ctx)
    local count_item, cr = put(tree, r, f.fault_count, 2, "rule count")
    local count = cr:uint()
    if count > 1024 then malformed("rule count " .. count .. " above 1024", count_item) end
    if count > r:left() / 17 then malformed("rule count " .. count .. " past the end", count_item) end
    local last = nil
    for _ = 1, count do
        local start = r.pos
        local rt = tree:add(f.fault_rule, r:here())
        local target, order = dissect_target(rt, r)
        local l, d, j, u = dissect_rule(rt, r)
        rt:set_len(r.pos - start)
        rt:set_text("rule " .. rule_text(target, l, d, j, u))
        if l == 0 and d == 0 and j == 0 and u == 0 then malformed("an all-zero rule", rt) end
        if last ~= nil and order <= last then malformed("targets not strictly ascending", rt) end
        last = order
    end
    ctx.info[#ctx.info + 1] = string.format("%d rule%s", count, count == 1 and "" or "s")
end

-- section 5.8
local function dissect_error(tree, r, h, ctx)
    local code_item, cr = put(tree, r, f.err_code, 1, "error code")
    local code = cr:uint()
    if code == 0 then malformed("error code 0", code_item) end
    local len_item, lr = put(tree, r, f.err_text_length, 2, "text length")
    local n = lr:uint()
    if n < 1 or n > 512 then malformed("text length " .. n .. " (1 .. 512)", len_item) end
    local item, range = put_str(tree, r, f.err_text, n, "text")
    local bad = utf8_problem(range:raw())
    if bad then malformed("invalid UTF-8 in the text: " .. bad, item) end
    ctx.info[#ctx.info + 1] = (ERROR_CODES[code] or ("code " .. code)) .. " " .. quote(range:raw(), 40)
end

local function dissect_client_request(tree, r, h, ctx)
    ctx.info[#ctx.info + 1] = dissect_command(tree, r)
end

local BODY = {
    [3] = { "entries", dissect_entries },
    [7] = { "snapshot chunk", dissect_snapshot },
    [16] = { "command", dissect_client_request },
    [17] = { "client response", dissect_client_response },
    [19] = { "status", dissect_status },
    [20] = { "fault request", dissect_fault_request },
    [21] = { "fault response", dissect_fault_response },
    [22] = { "error", dissect_error },
}

-- the body of a whole message (one datagram, or reassembled): tvb[offset, offset + length)
local function dissect_body(tvb, offset, length, tree, h, ctx)
    local t = h.msg_type
    local spec = BODY[t]
    if spec == nil then
        if length > 0 then
            local item = tree:add(f.payload, tvb:range(offset, length))
            item:add_proto_expert_info(E.MALFORMED_BODY,
                string.format("MALFORMED_BODY: %d bytes after the empty body of a %s", length, TYPE_NAMES[t]))
            ctx.drop = ctx.drop or "MALFORMED_BODY"
        end
        return
    end
    local bt = tree:add(f.body, tvb:range(offset, length))
    bt:set_text("body: " .. spec[1] .. (length == 0 and " (empty)" or ""))
    local r = reader(tvb, offset, length)
    local ok, err = pcall(function()
        spec[2](bt, r, h, ctx)
        r:done(spec[1])
    end)
    if not ok then
        if getmetatable(err) ~= Malformed then error(err, 0) end
        local where = err.item or bt
        where:add_proto_expert_info(E.MALFORMED_BODY, "MALFORMED_BODY: " .. err.text)
        if r:left() > 0 then
            bt:add(f.payload, tvb:range(r.pos, r:left())):set_text(string.format("undecoded: %d bytes", r:left()))
        end
        ctx.drop = ctx.drop or "MALFORMED_BODY"
    end
end

-- ---------------------------------------------------------------- reassembly (section 6)

local partial = {}    -- identity -> { count, held, chunks[index] = ByteArray, frames[index], signature, bytes }
local completed = {}  -- frame number of the last chunk -> { body = ByteArray, frames = {...}, message_id }
local chunk_home = {} -- frame number of a chunk -> frame number where its message was reassembled
local held_bytes = 0
local HELD_BYTES_MAX = 256 * 1024 * 1024

function raftudp.init()
    partial, completed, chunk_home, held_bytes = {}, {}, {}, 0
end

local function reassemble(tvb, pinfo, h, payload_len)
    if pinfo.visited then return completed[pinfo.number] end
    local id = table.concat({ tostring(pinfo.src), tostring(pinfo.src_port), tostring(pinfo.dst),
        tostring(pinfo.dst_port), tostring(h.src_id), tostring(h.message_id) }, "|")
    -- every field but chunk_index and payload_length is equal across the chunks of one message
    local signature = tvb:range(0, 12):bytes():tohex() .. tvb:range(14, 6):bytes():tohex() ..
        tvb:range(24, 40):bytes():tohex()
    local p = partial[id]
    if p ~= nil and (p.signature ~= signature or p.count ~= h.chunk_count) then
        held_bytes = held_bytes - p.bytes
        p = nil
    end
    if p == nil then
        p = { count = h.chunk_count, held = 0, chunks = {}, frames = {}, signature = signature, bytes = 0 }
        partial[id] = p
    end
    if p.chunks[h.chunk_index] ~= nil then return nil end  -- a duplicate: the first copy counts
    if held_bytes + payload_len > HELD_BYTES_MAX then return nil end
    p.chunks[h.chunk_index] = tvb:range(HEADER_BYTES, payload_len):bytes()
    p.frames[h.chunk_index] = pinfo.number
    p.held = p.held + 1
    p.bytes = p.bytes + payload_len
    held_bytes = held_bytes + payload_len
    if p.held < p.count then return nil end
    local body = ByteArray.new()
    local frames = {}
    for i = 0, p.count - 1 do
        body:append(p.chunks[i])
        frames[#frames + 1] = p.frames[i]
        chunk_home[p.frames[i]] = pinfo.number
    end
    partial[id] = nil
    held_bytes = held_bytes - p.bytes
    local done = { body = body, frames = frames }
    completed[pinfo.number] = done
    return done
end

-- ---------------------------------------------------------------- the header (section 3)

-- per type: the field under which each u64 slot is shown (nil: unused, must be 0)
local SLOTS = {
    [1] = { term = true, a = f.vote_last_log_index, lt = f.vote_last_log_term },
    [2] = { term = true, ci = f.incarnation },
    [3] = { term = true, a = f.append_prev_log_index, b = f.append_last_index, lt = f.append_prev_log_term,
            ci = f.append_leader_commit },
    [4] = { term = true, a = f.resp_match_index, b = f.resp_conflict_index, lt = f.resp_conflict_term,
            ci = f.incarnation },
    [5] = { term = true, a = f.hb_read_context, b = f.hb_incarnation, ci = f.hb_commit },
    [6] = { term = true, a = f.hb_read_context, ci = f.incarnation },
    [7] = { term = true, a = f.snap_index, b = f.snap_offset, lt = f.snap_term, ci = f.snap_checksum },
    [8] = { term = true, a = f.snap_index, b = f.snap_next_offset, ci = f.incarnation },
    [9] = { term = true },
    [16] = { a = f.client_id, b = f.client_seq },
    [17] = { a = f.client_id, b = f.client_seq },
    [18] = {},
    [19] = { term = true, a = f.status_first, b = f.status_last, ci = f.status_commit },
    [20] = {},
    [21] = {},
    [22] = {},
}

local SHORT_NAMES = {   -- for the Info column
    [f.vote_last_log_index] = "lastLogIndex", [f.vote_last_log_term] = "lastLogTerm",
    [f.append_prev_log_index] = "prevLogIndex", [f.append_prev_log_term] = "prevLogTerm",
    [f.append_leader_commit] = "leaderCommit", [f.resp_match_index] = "matchIndex",
    [f.resp_rejected_index] = "rejected", [f.resp_conflict_index] = "conflictIndex",
    [f.resp_conflict_term] = "conflictTerm", [f.hb_read_context] = "readContext", [f.hb_commit] = "commit",
    [f.hb_incarnation] = "receiverIncarnation", [f.incarnation] = "incarnation",
    [f.snap_index] = "snapshotIndex", [f.snap_offset] = "offset", [f.snap_next_offset] = "nextOffset",
    [f.snap_term] = "snapshotTerm", [f.snap_checksum] = "imageChecksum", [f.client_id] = "clientId", [f.client_seq] = "seq",
    [f.status_first] = "first", [f.status_last] = "last", [f.status_commit] = "commit",
    [f.fault_clock] = "clock", [f.client_sent] = "sent",
}

local function flag_text(flags)
    local names = {}
    for _, fl in ipairs(FLAG_NAMES) do
        if band(flags, fl[1]) ~= 0 then names[#names + 1] = fl[2] end
    end
    return table.concat(names, "|")
end

local function dissect_raftudp(tvb, pinfo, tree)
    local captured = tvb:len()
    local length = tvb:reported_len()
    pinfo.cols.protocol = "raftudp"
    local root = tree:add(raftudp, tvb:range(0, captured))

    if length < HEADER_BYTES or captured < HEADER_BYTES then
        root:add_proto_expert_info(E.SHORT, string.format("SHORT: %d bytes, fewer than the 64 of the header", length))
        pinfo.cols.info = string.format("raftudp [SHORT: %d bytes]", length)
        return captured
    end
    local magic_item = root:add(f.magic, tvb:range(0, 2))
    if tvb:range(0, 2):uint() ~= MAGIC then
        magic_item:add_proto_expert_info(E.BAD_MAGIC,
            string.format("BAD_MAGIC: magic 0x%04x, not 0x5241", tvb:range(0, 2):uint()))
        pinfo.cols.info = "raftudp [BAD_MAGIC]"
        return captured
    end
    magic_item:append_text(' ("RA")')
    local version_item = root:add(f.version, tvb:range(2, 1))
    local version = tvb:range(2, 1):uint()
    local t = tvb:range(3, 1):uint()
    local type_item = root:add(f.msg_type, tvb:range(3, 1))
    if version ~= 1 then
        version_item:add_proto_expert_info(E.BAD_VERSION,
            string.format("BAD_VERSION: version %d: only version 1 is known, the rest is not decoded", version))
        pinfo.cols.info = string.format("raftudp version %d [BAD_VERSION]", version)
        return captured
    end

    local h = {
        msg_type = t, flags = tvb:range(4, 1):uint(), src_id = tvb:range(8, 2):uint(),
        dst_id = tvb:range(10, 2):uint(), chunk_index = tvb:range(12, 2):uint(),
        chunk_count = tvb:range(14, 2):uint(), message_id = tvb:range(16, 4):uint(),
        payload_length = tvb:range(20, 4):uint(), term = tvb:range(24, 8), index_a = tvb:range(32, 8),
        index_b = tvb:range(40, 8), log_term = tvb:range(48, 8), commit_index = tvb:range(56, 8),
    }
    local name = TYPE_NAMES[t]
    local known = name ~= nil
    if not known then
        type_item:add_proto_expert_info(E.UNKNOWN_TYPE, string.format("UNKNOWN_TYPE: msg_type %d is not in section 4", t))
        name = "type " .. t
    end
    local auth = band(h.flags, F_AUTH) ~= 0
    root:append_text(", " .. name)

    -- flags
    local flags_item = root:add(f.flags, tvb:range(4, 1))
    if h.flags ~= 0 then flags_item:append_text(" (" .. flag_text(h.flags) .. ")") end
    for _, fld in ipairs({ f.flag_pre_vote, f.flag_transfer, f.flag_granted, f.flag_success, f.flag_last,
                           f.flag_done, f.flag_bit6, f.flag_auth }) do
        flags_item:add(fld, tvb:range(4, 1))
    end
    local reserved_item = root:add(f.reserved, tvb:range(5, 3))
    local src_item = root:add(f.src_id, tvb:range(8, 2))
    if h.src_id == NO_NODE then src_item:append_text(" (none/client)") end
    local dst_item = root:add(f.dst_id, tvb:range(10, 2))
    if h.dst_id == NO_NODE then dst_item:append_text(" (none/client)") end
    local chunk_text = string.format(" (chunk %d of %d)", h.chunk_index, h.chunk_count)
    local ci_item = root:add(f.chunk_index, tvb:range(12, 2))
    ci_item:append_text(chunk_text)
    local cc_item = root:add(f.chunk_count, tvb:range(14, 2))
    cc_item:append_text(chunk_text)
    root:add(f.message_id, tvb:range(16, 4))
    local pl_item = root:add(f.payload_length, tvb:range(20, 4))

    -- the u64 fields, each under its meaning for this type (section 3.2)
    local slots = SLOTS[t] or {}
    if t == 4 then
        slots = { term = true, b = f.resp_conflict_index, lt = f.resp_conflict_term, ci = f.incarnation,
                  a = band(h.flags, F_SUCCESS) ~= 0 and f.resp_match_index or f.resp_rejected_index }
    elseif t == 20 and auth then
        slots = { a = f.fault_clock }
    elseif t == 16 and auth then
        slots = { a = f.client_id, b = f.client_seq, lt = f.client_sent }
    end
    local request, answer = t == 16 or t == 18 or t == 20, t == 17 or t == 19 or t == 21 or t == 22
    local info = { name, node_text(h.src_id, request and "client") .. "→" ..
        node_text(h.dst_id, (request and "any") or (answer and "client")) }
    local field_problems = {}
    local function slot(generic, range, used, spec_name)
        local item
        if used then
            item = root:add(used, range)
            root:add(generic, range):set_hidden()
        elseif used == nil and known then
            item = root:add(generic, range)
            item:append_text(" (unused)")
            if not u64_is_zero(range) then
                field_problems[#field_problems + 1] = { item, spec_name .. " is unused by " .. name ..
                    " and must be 0, not " .. u64_text(range) }
            end
        else
            item = root:add(generic, range)
        end
        return item
    end
    local term_item
    if slots.term then
        term_item = root:add(f.term, h.term)
        info[#info + 1] = "term " .. u64_text(h.term)
    else
        term_item = slot(f.term, h.term, nil, "term")
    end
    local slot_items = {}
    for _, s in ipairs({ { "a", f.index_a, h.index_a, "index_a" }, { "b", f.index_b, h.index_b, "index_b" },
                         { "lt", f.log_term, h.log_term, "log_term" }, { "ci", f.commit_index, h.commit_index,
                         "commit_index" } }) do
        local used = slots[s[1]]
        if not known then used = false end
        slot_items[s[1]] = slot(s[2], s[3], used, s[4])
        if used == f.fault_clock or used == f.client_sent then slot_items[s[1]]:append_text(ms_date(s[3])) end
        if used and SHORT_NAMES[used] then
            info[#info + 1] = SHORT_NAMES[used] .. " " ..
                (used == f.snap_checksum and string.format("0x%08x", s[3]:range(4, 4):uint())
                    or (used == f.incarnation or used == f.hb_incarnation) and u64_hex(s[3]) or u64_text(s[3]))
        end
    end
    if h.flags ~= 0 then info[#info + 1] = "[" .. flag_text(h.flags) .. "]" end

    -- section 7 checks that need only this datagram, in the receiver's order
    local drop = nil
    local function flag(item, reason, text)
        item:add_proto_expert_info(E[reason], reason .. ": " .. text)
        drop = drop or reason
    end
    local expected = HEADER_BYTES + h.payload_length + (auth and MAC_BYTES or 0)
    if length < expected then
        flag(pl_item, "TRUNCATED", string.format("payload_length %d%s needs %d bytes, the datagram has %d",
            h.payload_length, auth and " + the 16-byte MAC" or "", expected, length))
    elseif length > expected then
        flag(pl_item, "TRAILING_BYTES", string.format("payload_length %d%s needs %d bytes, the datagram has %d",
            h.payload_length, auth and " + the 16-byte MAC" or "", expected, length))
    end
    if known then
        local allowed = (FLAGS_ALLOWED[t] or 0) + F_AUTH
        local bad = band(h.flags, bnot(allowed))
        if bad ~= 0 then
            flag(flags_item, "BAD_FLAGS", string.format("flags 0x%02x (%s) not allowed in a %s", bad, flag_text(bad), name))
        end
        if tvb:range(5, 3):uint() ~= 0 then
            flag(reserved_item, "BAD_FIELD", string.format("reserved is 0x%06x, must be 0", tvb:range(5, 3):uint()))
        end
        for _, p in ipairs(field_problems) do flag(p[1], "BAD_FIELD", p[2]) end
        -- a used u64 over 2^63 - 1 (the client id excepted)
        if slots.term and u64_over_63(h.term) then flag(term_item, "BAD_FIELD", "term above 2^63 - 1") end
        for _, s in ipairs({ { "a", h.index_a, "index_a" }, { "b", h.index_b, "index_b" },
                             { "lt", h.log_term, "log_term" }, { "ci", h.commit_index, "commit_index" } }) do
            local used = slots[s[1]]
            if used and used ~= f.client_id and u64_over_63(s[2]) then
                flag(slot_items[s[1]], "BAD_FIELD", s[3] .. " above 2^63 - 1")
            end
        end
        if t == 7 and u64_parts(h.commit_index) ~= 0 then
            flag(slot_items.ci, "BAD_FIELD", "imageChecksum above 2^32 - 1 (it is a CRC32C)")
        end
        if CARRIES_INCARNATION[t] and u64_is_zero(h.commit_index) then
            flag(slot_items.ci, "BAD_FIELD", name .. "'s commit_index is its sender's incarnation: " ..
                "1 .. 2^63 - 1, never 0")
        end
        if (is_raft(t) or t == 19 or t == 21 or t == 22) and h.src_id == NO_NODE then
            flag(src_item, "BAD_FIELD", "a " .. name .. " comes from a node: src_id 65535 is not one")
        end
        if is_raft(t) and h.dst_id == NO_NODE then
            flag(dst_item, "BAD_FIELD", "a " .. name .. " goes to a node: dst_id 65535 is not one")
        elseif not is_raft(t) and h.dst_id ~= NO_NODE then
            flag(dst_item, "BAD_FIELD", "dst_id of a " .. name .. " must be 65535, not " .. h.dst_id)
        end
        if h.chunk_count == 0 then
            flag(cc_item, "BAD_CHUNK", "chunk_count 0")
        elseif h.chunk_index >= h.chunk_count then
            flag(ci_item, "BAD_CHUNK", string.format("chunk_index %d is not below chunk_count %d", h.chunk_index, h.chunk_count))
        elseif h.chunk_count > 1 and not HAS_BODY[t] then
            flag(cc_item, "BAD_CHUNK", "a " .. name .. " has no body and is never chunked")
        elseif h.chunk_count > 1 and h.payload_length == 0 then
            flag(pl_item, "BAD_CHUNK", "an empty chunk of a multi-chunk message")
        elseif h.chunk_count > 1 and t == 20 and auth then
            flag(cc_item, "BAD_CHUNK", "an authenticated FaultRequest is one datagram")
        end
        -- admission checks of section 7.1 that one datagram shows
        if is_raft(t) then
            local hi, lo = u64_parts(h.term)
            if hi > 0x10000 or (hi == 0x10000 and lo > 0) then
                flag(term_item, "TERM_CEILING", "term " .. u64_text(h.term) .. " above 2^48 = 281474976710656")
            end
        end
        if t == 16 and not u64_is_zero(h.index_a) and u64_is_zero(h.index_b) then
            flag(slot_items.b, "BAD_SESSION", "clientId " .. u64_text(h.index_a) .. " with seq 0 (sequences start at 1)")
        end
    end

    -- the payload
    local avail = math.max(0, math.min(captured, length) - HEADER_BYTES)
    local pl = math.min(h.payload_length, avail)
    local whole = h.chunk_count == 1
    local ctx = { info = {} }
    if not known then
        if avail > 0 then root:add(f.payload, tvb:range(HEADER_BYTES, avail)) end
    elseif h.chunk_count > 1 then
        local text = string.format("chunk %d of %d of message id %d", h.chunk_index, h.chunk_count, h.message_id)
        local item = root:add(f.chunk_data, tvb:range(HEADER_BYTES, pl))
        item:set_text(string.format("%s: %d bytes", text, pl))
        item:add_proto_expert_info(E.chunk, text)
        info[#info + 1] = string.format("[chunk %d/%d]", h.chunk_index, h.chunk_count)
        if raftudp.prefs.reassemble and drop == nil and pl == h.payload_length then
            local done = reassemble(tvb, pinfo, h, pl)
            if done ~= nil then
                local btvb = done.body:tvb("Reassembled raftudp body")
                local rt = root:add(f.reassembled_length, btvb:range(0, btvb:len()), btvb:len())
                rt:set_text(string.format("reassembled body: %d bytes in %d chunks", btvb:len(), #done.frames))
                rt:set_generated()
                for _, fr in ipairs(done.frames) do rt:add(f.chunk_frame, fr):set_generated() end
                dissect_body(btvb, 0, btvb:len(), root, h, ctx)
                info[#info + 1] = "[reassembled]"
            elseif chunk_home[pinfo.number] ~= nil then
                root:add(f.reassembled_in, chunk_home[pinfo.number]):set_generated()
            end
        end
    elseif length < expected then
        if avail > 0 then
            root:add(f.payload, tvb:range(HEADER_BYTES, avail)):append_text(" (body not decoded: the datagram is truncated)")
        end
    else
        dissect_body(tvb, HEADER_BYTES, pl, root, h, ctx)
    end

    -- the MAC trailer (section 10.2) and anything past the length rule
    local after = HEADER_BYTES + h.payload_length
    if auth and length >= after + MAC_BYTES and captured >= after + MAC_BYTES then
        local mac_range = tvb:range(after, MAC_BYTES)
        local mac_item = root:add(f.mac, mac_range)
        local status
        if cluster_key ~= nil and sha256_works then
            local mac = hmac_sha256(cluster_key, tvb:range(0, after):raw()):sub(1, MAC_BYTES)
            if mac == mac_range:raw() then
                status = "correct (verified with the configured key)"
                mac_item:add_proto_expert_info(E.mac_ok, "MAC verified with the configured key")
            else
                status = "wrong: not the MAC under the configured key (BAD_MAC)"
                mac_item:add_proto_expert_info(E.BAD_MAC, "BAD_MAC: the trailer is not the MAC of the first " ..
                    after .. " bytes under the configured key (expected " .. tohex(mac) .. ")")
                drop = drop or "BAD_MAC"
            end
        else
            status = "not verified (no key)"
            if cluster_key_problem then status = "not verified (no key: " .. cluster_key_problem .. ")" end
            mac_item:add_proto_expert_info(E.mac_unverified, "MAC " .. status)
        end
        mac_item:add(f.mac_status, mac_range, status):set_generated()
        mac_item:append_text(" [" .. status .. "]")
        after = after + MAC_BYTES
    end
    if length > after and captured > after then
        root:add(f.trailing, tvb:range(after, captured - after))
    end

    for _, s in ipairs(ctx.info) do info[#info + 1] = s end
    -- the first reason a receiver would drop it for: the format's (section 7), then admission's (7.1)
    drop = drop or ctx.drop or (ctx.entry_problem and "BAD_ENTRY") or nil
    if drop then info[#info + 1] = "[" .. drop .. "]" end
    pinfo.cols.info = table.concat(info, " ")
    return captured
end

function raftudp.dissector(tvb, pinfo, tree)
    return dissect_raftudp(tvb, pinfo, tree)
end

-- ---------------------------------------------------------------- heuristic
-- raftudp on any UDP port: the magic, version 1, a known type, and a datagram length that
-- payload_length explains, with or without the 16-byte MAC trailer.
local function heuristic(tvb, pinfo, tree)
    local length = tvb:reported_len()
    if length < HEADER_BYTES or tvb:len() < 24 then return false end
    if tvb:range(0, 2):uint() ~= MAGIC or tvb:range(2, 1):uint() ~= 1 then return false end
    if TYPE_NAMES[tvb:range(3, 1):uint()] == nil then return false end
    local pl = tvb:range(20, 4):uint()
    if length ~= HEADER_BYTES + pl and length ~= HEADER_BYTES + pl + MAC_BYTES then return false end
    dissect_raftudp(tvb, pinfo, tree)
    return true
end

raftudp:register_heuristic("udp", heuristic)
register_ports()
