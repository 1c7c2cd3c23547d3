/* minet-bench-ns3 — ns-3's side of `make bench`'s TCP comparison: the same
 * 100 MB bulk transfer as minet-bench's, run by ns-3 (3.37, Debian's
 * libns3-dev), so the two figures come from the same machine in the same
 * run.  This is the only C++ in minet, and only because ns-3 is a C++
 * library; nothing else links it, and `make` and `make test` never build it.
 *
 * The transfer, set to match minet's TCP (src/net/tcp.h):
 *  - two nodes, one point-to-point link of 1 Gbit/s and 10 ms each way, the
 *    device's DropTail queue of 1,000 packets and no queue disc above it
 *    (minet has no traffic control layer either);
 *  - TCP NewReno with classic (RFC 6582) recovery instead of ns-3's default
 *    PRR, no SACK, no window scaling, no timestamps; MSS 1460, an initial
 *    window of 10 segments, initial ssthresh 65535, a delayed ACK every
 *    second segment or after 40 ms, minimum RTO 200 ms;
 *  - 64 KiB buffers (send 65536, receive 65535: without scaling no window
 *    says more), so the window, not the link, limits the transfer to about
 *    26 Mbit/s over the 20 ms round trip, as in minet;
 *  - BulkSendApplication with MaxBytes 100,000,000 (written 1460 bytes at a
 *    time: ns-3's Send takes all or nothing) into a PacketSink;
 *  - for the lossy case a RateErrorModel dropping 1 % of the packets arriving
 *    at the receiver's device: data segments are lost, ACKs are not.
 *
 * Counted: every packet that began crossing the link (PhyTxBegin on both
 * devices): data segments, retransmissions and lost ones included, ACKs,
 * SYNs and FINs — every TCP segment either side sent, which is what minet
 * counts.  Timed: Simulator::Run() alone, on the monotonic clock.  No
 * tracing, pcap or logging is enabled (Debian's build has logging compiled
 * in, so each log point still costs its test).  The error model's random stream is
 * fixed, so every run is the same transfer and only the wall time varies.
 *
 *   minet-bench-ns3 [runs]     runs of each case, default 5; prints medians */
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <ns3/applications-module.h>
#include <ns3/core-module.h>
#include <ns3/internet-module.h>
#include <ns3/network-module.h>
#include <ns3/point-to-point-module.h>
#include <ns3/traffic-control-module.h>

using namespace ns3;

static const uint64_t BULK_BYTES = 100000000;
static const uint16_t PORT = 5001;

/* What one run measured; the trace sinks below write into it. */
struct BulkRun {
    uint64_t segments = 0; /* packets that began crossing the link, both ways */
    uint64_t dropped = 0;  /* of those, lost by the error model */
    uint64_t received = 0; /* bytes the sink got */
    double done_s = 0;     /* simulated time of the sink's last byte */
    double wall_s = 0;     /* wall time of Simulator::Run() */
};

static double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_tx(BulkRun *r, Ptr<const Packet>)
{
    r->segments++;
}

static void on_drop(BulkRun *r, Ptr<const Packet>)
{
    r->dropped++;
}

static void on_rx(BulkRun *r, Ptr<const Packet> p, const Address &)
{
    r->received += p->GetSize();
    if (r->received >= BULK_BYTES)
        r->done_s = Simulator::Now().GetSeconds();
}

/* The TCP defaults every socket of the run is made with (see the top). */
static void set_tcp_defaults()
{
    Config::SetDefault("ns3::TcpL4Protocol::SocketType", TypeIdValue(TcpNewReno::GetTypeId()));
    Config::SetDefault("ns3::TcpL4Protocol::RecoveryType",
                       TypeIdValue(TcpClassicRecovery::GetTypeId()));
    Config::SetDefault("ns3::TcpSocketBase::Sack", BooleanValue(false));
    Config::SetDefault("ns3::TcpSocketBase::WindowScaling", BooleanValue(false));
    Config::SetDefault("ns3::TcpSocketBase::Timestamp", BooleanValue(false));
    Config::SetDefault("ns3::TcpSocketBase::MinRto", TimeValue(MilliSeconds(200)));
    Config::SetDefault("ns3::TcpSocket::SegmentSize", UintegerValue(1460));
    Config::SetDefault("ns3::TcpSocket::InitialCwnd", UintegerValue(10));
    Config::SetDefault("ns3::TcpSocket::InitialSlowStartThreshold", UintegerValue(65535));
    Config::SetDefault("ns3::TcpSocket::DelAckCount", UintegerValue(2));
    Config::SetDefault("ns3::TcpSocket::DelAckTimeout", TimeValue(MilliSeconds(40)));
    Config::SetDefault("ns3::TcpSocket::SndBufSize", UintegerValue(65536));
    Config::SetDefault("ns3::TcpSocket::RcvBufSize", UintegerValue(65535));
}

/* One transfer from node 0 to node 1; loss is the receiver's packet error
 * rate.  Exits when the sink did not get every byte. */
static BulkRun run_bulk(double loss)
{
    BulkRun r;
    NodeContainer nodes;
    nodes.Create(2);

    PointToPointHelper p2p;
    p2p.SetDeviceAttribute("DataRate", StringValue("1Gbps"));
    p2p.SetChannelAttribute("Delay", StringValue("10ms"));
    p2p.SetQueue("ns3::DropTailQueue<Packet>", "MaxSize", StringValue("1000p"));
    NetDeviceContainer devs = p2p.Install(nodes);

    InternetStackHelper stack;
    stack.Install(nodes);
    Ipv4AddressHelper addr("10.0.0.0", "255.255.255.0");
    Ipv4InterfaceContainer ifs = addr.Assign(devs);
    /* Assign installs a default queue disc (FqCoDel); minet has none. */
    TrafficControlHelper().Uninstall(devs);

    if (loss > 0) {
        Ptr<RateErrorModel> em = CreateObject<RateErrorModel>();
        em->SetUnit(RateErrorModel::ERROR_UNIT_PACKET);
        em->SetRate(loss);
        em->AssignStreams(1);
        devs.Get(1)->SetAttribute("ReceiveErrorModel", PointerValue(em));
    }
    for (uint32_t i = 0; i < devs.GetN(); i++)
        devs.Get(i)->TraceConnectWithoutContext("PhyTxBegin", MakeBoundCallback(&on_tx, &r));
    devs.Get(1)->TraceConnectWithoutContext("PhyRxDrop", MakeBoundCallback(&on_drop, &r));

    BulkSendHelper bulk("ns3::TcpSocketFactory", InetSocketAddress(ifs.GetAddress(1), PORT));
    bulk.SetAttribute("MaxBytes", UintegerValue(BULK_BYTES));
    bulk.SetAttribute("SendSize", UintegerValue(1460));
    bulk.Install(nodes.Get(0)).Start(Seconds(0));

    PacketSinkHelper sink("ns3::TcpSocketFactory", InetSocketAddress(Ipv4Address::GetAny(), PORT));
    ApplicationContainer sinks = sink.Install(nodes.Get(1));
    sinks.Start(Seconds(0));
    sinks.Get(0)->TraceConnectWithoutContext("Rx", MakeBoundCallback(&on_rx, &r));

    /* Only a safeguard: the run ends by itself when TCP's timers are done. */
    Simulator::Stop(Seconds(3600));
    double t0 = now_s();
    Simulator::Run();
    r.wall_s = now_s() - t0;
    Simulator::Destroy();

    if (r.received != BULK_BYTES) {
        fprintf(stderr,
                "minet-bench-ns3: the transfer delivered %" PRIu64 " of %" PRIu64 " bytes\n",
                r.received, BULK_BYTES);
        exit(1);
    }
    return r;
}

static double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* 71234 -> "71,234", as the rest of `make bench` writes counts. */
static std::string grouped(uint64_t n)
{
    std::string s = std::to_string(n);
    for (int i = (int)s.size() - 3; i > 0; i -= 3)
        s.insert((size_t)i, ",");
    return s;
}

static FILE *figures; /* argv[2]: "CASE SEGMENTS_PER_S" lines for minet-bench */

static void bench_case(const char *name, double loss, int runs)
{
    std::vector<double> wall, rate;
    BulkRun r;
    for (int k = 0; k < runs; k++) {
        r = run_bulk(loss);
        wall.push_back(r.wall_s);
        rate.push_back((double)r.segments / r.wall_s);
    }
    printf("ns-3 %u.%u bulk transfer 100 MB, 1 Gbit/s 10 ms, %s: %s segments in %.2f s: %s "
           "segments/s (median of %d); last byte at %.2f s simulated",
           Version::Major(), Version::Minor(), name, grouped(r.segments).c_str(), median(wall),
           grouped((uint64_t)(median(rate) + 0.5)).c_str(), runs, r.done_s);
    if (loss > 0)
        printf(", %s lost", grouped(r.dropped).c_str());
    printf("\n");
    fflush(stdout);
    if (figures)
        fprintf(figures, "%g %.0f\n", loss, median(rate));
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 5;
    if (runs < 1 || argc > 3) {
        fprintf(stderr, "usage: minet-bench-ns3 [runs [figures-file]]   (runs of each case, "
                        "default 5)\n");
        return 2;
    }
    if (argc > 2 && !(figures = fopen(argv[2], "w"))) {
        perror(argv[2]);
        return 1;
    }
    /* Debian's ns-3 is built with its logging compiled in: NS_LOG in the
     * environment must not turn it on here. */
    LogComponentDisableAll(LOG_LEVEL_ALL);
    set_tcp_defaults();
    bench_case("lossless", 0, runs);
    bench_case("1 % loss", 0.01, runs);
    if (figures && fclose(figures) != 0) {
        perror(argv[2]);
        return 1;
    }
    return 0;
}
