/* eth — Ethernet II framing.  minet has no ARP: every interface's MAC is
 * fixed at load (world.c) and a sender writes its peer's MAC directly. */
#ifndef MN_ETH_H
#define MN_ETH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ETH_HLEN      14
#define ETH_TYPE_IPV4 0x0800
#define ETH_MTU       1500
#define ETH_FRAME_MAX (ETH_HLEN + ETH_MTU)

/* Writes the 14-byte header at f.  Inline: every hop writes one. */
static inline void eth_put_header(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
                                  uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = (uint8_t)(type >> 8);
    f[13] = (uint8_t)type;
}
/* "02:1a:2b:3c:4d:00" */
void eth_format_mac(const uint8_t mac[6], char buf[18]);

#endif
