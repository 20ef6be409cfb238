/**
 * The client side of raftudp: the {@link raftudp.client.RaftClient} library and the
 * {@code raft-client} program ({@link raftudp.client.ClientMain}).
 *
 * <p><b>Library.</b> {@link raftudp.client.RaftClient#start} takes the cluster's client
 * addresses ({@link raftudp.client.ClientOptions}) and a {@link raftudp.transport.Transport}
 * bound at the client's source address. Operations block until answered or given up:
 * {@code put}, {@code get}, {@code delete}, {@code cas}, {@code append} return the store's
 * {@link raftudp.kv.Result}; {@code status}/{@code statusAll} return
 * {@link raftudp.wire.StatusReport}s. Failures are {@link raftudp.client.RaftClientException}s
 * whose {@link raftudp.client.RaftClientException.Kind} says what is known about the outcome.
 * Concurrent logical clients each take a {@link raftudp.client.ClientSession}.
 *
 * <p><b>Program.</b> {@code raft-client -s SRC -d NODE -da VALUE} as in the original
 * project, and the subcommands {@code put}, {@code get}, {@code delete}, {@code cas},
 * {@code status}, {@code watch} and {@code bench} ({@link raftudp.client.Bench}). The
 * cluster's node list is the node program's own {@link raftudp.config.ClusterConfig}, and
 * {@link raftudp.client.ClusterSpec} picks the {@code -d} node from it; values are typed by {@link raftudp.client.ValueParser}.
 *
 * <p>Depends on {@code wire}, {@code kv} (the message types) and {@code transport} only.
 */
package raftudp.client;
