/**
 * Seeded, reproducible randomness (pure-rand's Mersenne Twister) for the
 * traffic simulator and the statistical tests.
 *
 * Mersenne Twister rather than pure-rand's faster xoroshiro128+: with small
 * integer seeds (1, 2, 42, …) xoroshiro's first outputs are all close to 1,
 * which would bias the first rows of every simulation.
 *
 * @module
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { mersenne } from "pure-rand/generator/mersenne";

/** A stateful stream of random numbers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
}

/** A random stream fully determined by `seed` (an integer). */
export function seededRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const rng = mersenne(seed);
  return {
    next: () => uniformFloat64(rng),
    int: (min, max) => uniformInt(rng, min, max),
  };
}
