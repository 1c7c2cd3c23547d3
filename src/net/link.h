/* link — frames crossing links.  Each link direction is a FIFO
 * transmitter: a frame waits until the previous one has been serialized
 * (size × 8 / bandwidth, rounded up to the microsecond), then takes the
 * link's latency to arrive.  Each traversal is one `hop` record; a frame
 * lost to the link's loss probability or to a down link or node is a
 * `drop` record with its reason and a note saying so. */
#ifndef MN_LINK_H
#define MN_LINK_H

#include "core/sim.h"
#include "net/net.h"

/* Serialization time of len bytes at bits_per_s, in µs (rounded up). */
SimTime link_serialization(uint64_t bits_per_s, size_t len);
/* Sends p out of node:iface; f is that interface, which the caller has at
 * hand (a router forwarding has just written the frame's Ethernet header
 * from it).  Takes ownership of p. */
void link_transmit(Sim *sim, int node, int iface, const Iface *f, Packet *p);

#endif
