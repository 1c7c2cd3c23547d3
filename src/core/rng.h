/* rng — the simulation's one random generator: xoshiro256** seeded through
 * splitmix64.  Same seed, same sequence, on every machine.  Never rand(),
 * never the clock. */
#ifndef MN_RNG_H
#define MN_RNG_H

#include <stdint.h>

typedef struct Rng {
    uint64_t s[4];
} Rng;

void rng_seed(Rng *r, uint64_t seed);
uint64_t rng_next(Rng *r);
/* Uniform in [0, 1), 53 bits. */
double rng_double(Rng *r);
/* Uniform in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(Rng *r, uint64_t n);

#endif
