/**
 * How the multivariate (domain classifier) check behaves on the credit data:
 * production rows drawn from the held-out test set, clean or broken, compared
 * with the reference sample — the AUC, its permutation threshold, the verdict,
 * the top drivers and the time the check took, per scenario and seed.
 *
 * Scenarios: `clean`; `decouple:F` (each row's F from another random row: a
 * broken join, F's distribution unchanged); `scale:F=K` (a per-feature shift,
 * which the check must not see). The test set has 891 distinct rows, so
 * `--rows` above that mostly repeats them (identical rows count once); with
 * `--jitter` a tiny amount is added to one numeric feature so that every row
 * is distinct and the sample reaches its 5,000-row cap (cost measurement;
 * those near-copies shrink the effective sample, so their verdicts are not
 * meaningful).
 *
 * Usage: deno run --allow-read=. scripts/multivariate_power.ts
 *          [--rows N] [--seeds K] [--scenario S]… [--jitter FEATURE]
 *
 * @module
 */
import { readCsvFile, tableToFeatures } from "../api/scoring/feature_csv.ts";
import type { Features } from "../api/scoring/feature_vector.ts";
import { readModelMeta } from "../api/scoring/model_meta.ts";
import {
  buildMultivariateReference,
  createProductionSampler,
  type MultivariateDrift,
  multivariateDrift,
} from "../monitoring/multivariate.ts";
import { seededRandom } from "../monitoring/seeded_random.ts";
import { parseFlags, parseIntegerFlag, UsageError } from "./lib/flags.ts";

/** One measured run. */
export interface PowerRow {
  scenario: string;
  seed: number;
  result: MultivariateDrift;
  ms: number;
}

/** Options of {@link measurePower}. */
export interface PowerOptions {
  artifactsDir: string;
  referencePath: string;
  sourcePath: string;
  rows: number;
  seeds: number;
  scenarios: string[];
  jitter?: string;
}

function scenarioRow(
  scenario: string,
  row: Features,
  donor: Features,
): Features {
  if (scenario === "clean") return row;
  const [kind, arg] = scenario.split(":");
  if (kind === "decouple") return { ...row, [arg]: donor[arg] };
  if (kind === "scale") {
    const [feature, factor] = arg.split("=");
    const v = row[feature];
    return { ...row, [feature]: typeof v === "number" ? v * Number(factor) : v };
  }
  throw new UsageError(`unknown scenario ${JSON.stringify(scenario)}`);
}

/** Runs every scenario for every seed. */
export async function measurePower(options: PowerOptions): Promise<PowerRow[]> {
  const meta = await readModelMeta(options.artifactsDir);
  const reference = tableToFeatures(await readCsvFile(options.referencePath), meta.features);
  const source = tableToFeatures(await readCsvFile(options.sourcePath), meta.features);
  const mref = buildMultivariateReference(meta.features, reference);
  const out: PowerRow[] = [];
  for (const scenario of options.scenarios) {
    for (let seed = 1; seed <= options.seeds; seed++) {
      const rng = seededRandom(seed);
      const sampler = createProductionSampler(mref);
      for (let i = 0; i < options.rows; i++) {
        const row = scenarioRow(
          scenario,
          source[rng.int(0, source.length - 1)],
          source[rng.int(0, source.length - 1)],
        );
        const j = options.jitter;
        sampler.offer(
          j && typeof row[j] === "number"
            ? { ...row, [j]: (row[j] as number) + rng.next() * 1e-3 }
            : row,
        );
      }
      const t0 = performance.now();
      const result = multivariateDrift(mref, sampler.rows(), { nWindow: sampler.seen });
      out.push({ scenario, seed, result, ms: performance.now() - t0 });
    }
  }
  return out;
}

/** One line per run. */
export function formatPowerRow(r: PowerRow): string {
  const m = r.result;
  return `${r.scenario.padEnd(22)} seed ${r.seed}  AUC ${m.auc?.toFixed(3) ?? "-"}  threshold ${
    m.noise_floor?.threshold.toFixed(3) ?? "-"
  }  ${m.verdict.padEnd(8)}  ${m.n_production} rows  ${r.ms.toFixed(0)} ms  drivers ${
    m.drivers.slice(0, 2).map((d) => d.feature).join(", ")
  }`;
}

if (import.meta.main) {
  try {
    const v = parseFlags(Deno.args, {
      rows: { type: "string" },
      seeds: { type: "string" },
      scenario: { type: "string", multiple: true },
      jitter: { type: "string" },
    });
    const rows = await measurePower({
      artifactsDir: "artifacts",
      referencePath: "artifacts/reference_sample.csv",
      sourcePath: "data/credit_data/test.csv",
      rows: v.rows === undefined ? 2000 : parseIntegerFlag("rows", v.rows, { min: 1 }),
      seeds: v.seeds === undefined ? 3 : parseIntegerFlag("seeds", v.seeds, { min: 1, max: 100 }),
      scenarios: v.scenario ??
        ["clean", "decouple:Expenses", "decouple:Income", "scale:Income=1.5"],
      jitter: v.jitter,
    });
    for (const r of rows) console.log(formatPowerRow(r));
  } catch (err) {
    console.error(`multivariate_power: ${err instanceof Error ? err.message : String(err)}`);
    Deno.exit(err instanceof UsageError ? 2 : 1);
  }
}
