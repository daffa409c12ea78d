/**
 * Seeded, stratified row splits: K folds for cross-fitting and a holdout
 * part for early stopping. Each class is shuffled separately (Fisher–Yates
 * with pure-rand), so every part keeps the data's default rate.
 *
 * @module
 */
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { mersenne } from "pure-rand/generator/mersenne";

/** Row indices of each class (label 1 = positive, anything else negative), shuffled. */
function shuffledByClass(labels: ArrayLike<number>, seed: number): number[][] {
  const rng = mersenne(seed);
  const classes: number[][] = [[], []];
  for (let i = 0; i < labels.length; i++) classes[labels[i] === 1 ? 1 : 0].push(i);
  for (const rows of classes) {
    for (let i = rows.length - 1; i > 0; i--) {
      const j = uniformInt(rng, 0, i);
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
  }
  return classes;
}

/**
 * Fold number (0 … k − 1) of every row. Rows are dealt round-robin, class
 * after class, so fold sizes differ by at most one row.
 */
export function stratifiedFolds(
  labels: ArrayLike<number>,
  options: { k: number; seed: number },
): Uint8Array {
  const { k, seed } = options;
  if (!(Number.isInteger(k) && k >= 2 && k <= 255)) throw new RangeError(`k = ${k}`);
  const folds = new Uint8Array(labels.length);
  let next = 0;
  for (const rows of shuffledByClass(labels, seed)) {
    for (const row of rows) folds[row] = next++ % k;
  }
  return folds;
}

/**
 * Marks a holdout part of about `fraction` of the rows of each class:
 * `true` = holdout (validation) row.
 */
export function stratifiedHoldout(
  labels: ArrayLike<number>,
  options: { fraction: number; seed: number },
): boolean[] {
  const { fraction, seed } = options;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`fraction = ${fraction}`);
  const holdout = new Array<boolean>(labels.length).fill(false);
  for (const rows of shuffledByClass(labels, seed)) {
    const take = Math.round(rows.length * fraction);
    for (const row of rows.slice(0, take)) holdout[row] = true;
  }
  return holdout;
}
