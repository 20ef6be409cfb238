/**
 * Where the cluster's nodes are: the cluster file ({@code --cluster FILE}), {@code --peers}
 * and the testbed's default node list, parsed into node addresses and ports. Kept apart from
 * {@code raftudp.wire}, which holds only the packet format.
 */
package raftudp.config;
