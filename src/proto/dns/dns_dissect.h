/* dns_dissect — the DNS row of the application table (proto/dissect.h):
 * Wireshark's Info column ("Standard query 0x1c2d A www.montana.edu"), its
 * packet details, and the map's label ("A? www.montana.edu", "referral:
 * edu", "NXDOMAIN www.example.com").  Decodes with dns_decode, so every
 * byte is checked. */
#ifndef MN_DNS_DISSECT_H
#define MN_DNS_DISSECT_H

#include "proto/dissect.h"

void dns_dissect_summary(const DissectPayload *p, Buf *out);
void dns_dissect_tree(const DissectPayload *p, DissectTree *t);
/* The label, and whether the message is a response (QR set). */
void dns_dissect_label(const DissectPayload *p, char *label, size_t size, bool *response);

/* The same over TCP, where each message has a 2-byte length in front (the
 * tree shows it as the layer's first field, "Length: 29", as Wireshark
 * does).  A segment that holds only a part of a longer message is
 * "[TCP segment of a reassembled PDU]". */
void dns_tcp_dissect_summary(const DissectPayload *p, Buf *out);
void dns_tcp_dissect_tree(const DissectPayload *p, DissectTree *t);
void dns_tcp_dissect_label(const DissectPayload *p, char *label, size_t size, bool *response);

#endif
