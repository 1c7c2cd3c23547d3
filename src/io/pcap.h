/* pcap — captures that Wireshark opens: pcapng, with each packet's captions
 * as its comment, and classic pcap.  docs/trace-format.md documents the
 * blocks and options written.
 *
 * The frames are exactly the Ethernet frames of the trace's hop records.
 * Two ways to capture:
 *   - every link (capture NULL): one interface per link, named after its
 *     ends ("laptop:eth0-campus:eth0"); each hop once, stamped when sent.
 *   - on nodes (capture "laptop,local-dns"): what Wireshark running on those
 *     nodes would see — one interface per network interface ("laptop:eth0");
 *     a frame the node sends is stamped when sent, a frame it receives when
 *     it arrives.  A frame that never arrives (a drop "lost on link" or
 *     "link down" at its arrival time) is not received; nor is one that
 *     reaches a node that is down ("node down": a machine that is off runs
 *     no Wireshark), nor one still on the wire when the run stopped.
 * Timestamps are World.start_us plus simulated time, in microseconds.
 * Blocks are in timestamp order across interfaces; ties keep trace order.
 *
 * The writer is a TraceSink that streams: a frame is written as soon as
 * it is final — the run is past its timestamp (so every frame still to come
 * sorts after it) and its packet is over (delivered or dropped, and that
 * moment past, so the receiver's caption is in its comment) — and only such
 * frames wait in memory, with their packets' notes.  A note that comes
 * later still (a timeout's caption about a query sent seconds before) is
 * kept, with every note, in a temporary file; at the end the blocks of
 * those packets are rewritten with their whole comments, so the file is
 * always what the whole trace says.  Output depends only on the trace:
 * integers are written little-endian on every machine. */
#ifndef MN_PCAP_H
#define MN_PCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/trace.h"
#include "net/world.h"

typedef enum PcapFormat {
    PCAP_NG,      /* .pcapng: several interfaces, comments */
    PCAP_CLASSIC, /* .pcap: one interface (one link type), no comments */
} PcapFormat;

/* The format a file name asks for (.pcapng or .pcap); false if none. */
bool pcap_format_for(const char *path, PcapFormat *out);

typedef struct PcapWriter PcapWriter;

/* A writer for the file called name (its extension picks the format; the
 * writer does not open it), capturing on every link of w (capture NULL) or
 * on the nodes listed in capture, separated by commas (a node whose id
 * contains a comma can be named alone).  Returns NULL with a message for
 * the user in why, naming --pcap or --capture, on bad usage: an unknown
 * extension, an unknown or empty node name, a classic pcap of anything but
 * exactly one interface, a start time before 1970.  w must outlive the
 * writer; free it with pcap_writer_free. */
PcapWriter *pcap_writer_new(const World *w, const char *name, const char *capture, char *why,
                            size_t size);
void pcap_writer_free(PcapWriter *pw);

/* The sink to add to the trace.  The writer stays the owner. */
TraceSink pcap_writer_sink(PcapWriter *pw);
/* How many capture interfaces the file will describe. */
size_t pcap_writer_ifaces(const PcapWriter *pw);

/* Writes the capture into f as the run goes (call it before the first
 * record; f's descriptor must be open for reading too, as a file made by
 * mkstemp is, in case comments are rewritten at the end).  Without it the
 * frames go to a temporary file that pcap_writer_write copies into its f. */
void pcap_writer_stream(PcapWriter *pw, FILE *f);

/* Finishes the capture in f (the stream's file, if one was given): writes
 * what is still waiting, and rewrites late comments.  end is when the run
 * stopped: frames arriving later were still on the wire and are not
 * received.  Returns false with a message in why when a timestamp does not
 * fit the format (classic pcap ends in 2106) or a temporary file fails;
 * write errors are left in ferror(f) for the caller.  Call it once, after
 * trace_end.  O(n log n) in the number of frames. */
bool pcap_writer_write(PcapWriter *pw, FILE *f, SimTime end, char *why, size_t size);

#endif
