/**
 * The model lifecycle: which loaded version answers (the champion), which
 * score in the shadow, and the operator's changes of them ({@link ModelAdmin}).
 *
 * The roles are state in the audit database (`store.models`), the same for
 * every replica and kept across restarts; with no state yet the champion is
 * `ARTIFACTS_DIR`'s version. Every serving unit holds one immutable
 * {@link ModelSet} and swaps it whole: the predictor reads it once per
 * request, so every answer is scored by exactly one champion and its row
 * names that version, and the shadows it scored with are those of the same
 * moment. A unit learns of changes by {@link ModelLifecycle.sync}: after its
 * own change at once, from sibling worker threads through `announce`, and
 * from other replicas by polling (one primary-key read every couple of
 * seconds). A state naming a version this unit has not loaded triggers one
 * rescan; if it is still missing the unit keeps serving what it has and
 * says so on /health.
 *
 * @module
 */
import { join } from "node:path";
import type { Actor, ModelAdmin, ModelChange, ModelVersionInfo } from "./model_admin.ts";
import { featureDifferences } from "./scoring/compatibility.ts";
import type { ScoringModel } from "./scoring/model.ts";
import type { ModelSet, ModelSource } from "./scoring/model_set.ts";
import type { ModelRegistry } from "./scoring/registry.ts";
import type { ModelChangeRow, ModelState, Store } from "./store/mod.ts";
import { ProblemError } from "./http/problem.ts";

/** Dependencies of {@link openLifecycle}. */
export interface LifecycleDeps {
  registry: ModelRegistry;
  store: Pick<Store, "models">;
  /** Wall clock of the audit rows (tests pin it). */
  now?: () => Date;
  /** Told after this unit changed the state (`changed`) or rescanned (`reloaded`): siblings sync. */
  announce?: (event: "changed" | "reloaded") => void;
  /** Told when the serving set changes (a log line). */
  onSwap?: (set: ModelSet) => void;
}

/** The lifecycle of one serving unit. */
export interface ModelLifecycle extends ModelAdmin {
  /** What the predictor reads once per request. */
  readonly source: ModelSource;
  /** A loaded version (its metadata, reference sample, explainer): the site's per-version pages. */
  model(version: string): ScoringModel | undefined;
  /** Reads the shared state and swaps to it when it moved (poll ticks, siblings' news). */
  sync(): Promise<void>;
  /** For the operator: skipped directories, a state naming versions not loaded here. */
  warnings(): string[];
  /**
   * Calls {@link sync} every `ms` (unless one is still running) until the
   * returned stop is called; errors go to `onError`.
   */
  poll(ms: number, onError?: (err: unknown) => void): () => void;
}

/** The state as this unit applies it (revision 0: nothing stored yet). */
type Applied = Pick<ModelState, "revision" | "champion" | "previous" | "shadows">;

/** Promote and rollback alike: `version` answers, the champion becomes the previous, no longer a shadow. */
function crown(state: Applied, version: string, change: ModelChange) {
  const next = {
    champion: version,
    previous: state.champion,
    shadows: state.shadows.filter((s) => s !== version),
  };
  return { next, change };
}

const differences = (champion: ScoringModel, candidate: ScoringModel) =>
  featureDifferences(champion.meta.features, candidate.meta.features);

/**
 * When a version was trained or imported: its metadata's `provenance.created_at`
 * if it has one, else when its `model_meta.json` was written (train and
 * import-model write it last), else null.
 */
async function createdAt(model: ScoringModel): Promise<string | null> {
  const stated = (model.meta.provenance as Record<string, unknown>).created_at;
  if (typeof stated === "string") return stated;
  const info = await Deno.stat(join(model.dir, "model_meta.json")).catch(() => null);
  return info?.mtime?.toISOString() ?? null;
}

function incompatible(version: string, champion: string, diffs: string[]): ProblemError {
  return new ProblemError(
    422,
    "incompatible-model",
    `version ${version} cannot read what the callers of champion ${champion} send ` +
      `(${diffs.length} feature difference(s)): ${diffs.join("; ")}`,
  );
}

/** Opens the lifecycle on the stored state (or the default champion); throws when none can serve. */
export async function openLifecycle(deps: LifecycleDeps): Promise<ModelLifecycle> {
  const { registry, store } = deps;
  const now = deps.now ?? (() => new Date());
  let stateWarnings: string[] = [];
  let applied: Applied;
  let current: ModelSet;

  /** The set a state asks for, from what is loaded here (rescanning once for a missing version). */
  async function resolveSet(state: Applied, fallback: ScoringModel | undefined) {
    const missing = () =>
      [state.champion, ...state.shadows].filter((v) => registry.get(v) === undefined);
    if (missing().length) await registry.rescan();
    const warnings: string[] = [];
    let champion = registry.get(state.champion);
    if (!champion) {
      champion = fallback;
      warnings.push(
        `the model state names champion ${state.champion}, which is not loaded here (is its ` +
          `directory in this replica's MODELS_DIR?); serving ${fallback?.meta.model_version}`,
      );
    }
    const shadows: ScoringModel[] = [];
    for (const version of state.shadows) {
      const model = registry.get(version);
      if (!model) warnings.push(`shadow ${version} is not loaded here: it does not score`);
      else if (champion && differences(champion, model).length) {
        warnings.push(`shadow ${version} cannot read the champion's features: it does not score`);
      } else if (model !== champion) shadows.push(model);
    }
    return { champion, shadows, warnings };
  }

  function swap(state: Applied, set: { champion: ScoringModel; shadows: ScoringModel[] }) {
    applied = state;
    const next: ModelSet = Object.freeze({
      champion: set.champion,
      shadows: Object.freeze([...set.shadows]),
    });
    const changed = next.champion !== current?.champion ||
      next.shadows.map((s) => s.meta.model_version).join() !==
        current?.shadows.map((s) => s.meta.model_version).join();
    current = next;
    if (changed) deps.onSwap?.(next);
  }

  // Start-up: the stored state, else the default champion.
  const stored = await store.models.state();
  const defaultVersion = registry.defaultVersion();
  const initial: Applied = stored ?? {
    revision: 0,
    champion: defaultVersion ?? "",
    previous: null,
    shadows: [],
  };
  {
    const fallback = defaultVersion === null ? undefined : registry.get(defaultVersion);
    const set = await resolveSet(initial, fallback);
    if (!set.champion) {
      const skipped = registry.skipped().map((s) => `${s.dir}: ${s.reason}`).join("; ");
      throw new Error(
        stored
          ? `no champion can be served: the model state names ${stored.champion}, which is ` +
            `not loaded, and ARTIFACTS_DIR did not load either (${skipped || "no directory"})`
          : `no champion can be served: ARTIFACTS_DIR did not load (${skipped || "no directory"})`,
      );
    }
    stateWarnings = set.warnings;
    swap(initial, { champion: set.champion, shadows: set.shadows });
  }

  let syncing: Promise<void> | null = null;
  async function syncOnce() {
    const state = await store.models.state();
    if (!state || state.revision === applied.revision) return;
    const set = await resolveSet(state, current.champion);
    stateWarnings = set.warnings;
    swap(state, { champion: set.champion ?? current.champion, shadows: set.shadows });
  }
  /** Concurrent calls share one read; a call made during a read runs after it. */
  function sync(): Promise<void> {
    const run = (syncing ?? Promise.resolve()).catch(() => {}).then(syncOnce);
    const mine = run.finally(() => {
      if (syncing === mine) syncing = null;
    });
    syncing = mine;
    return mine;
  }

  /** A change, planned on the freshest stored state; retried when another writer got there first. */
  let changing: Promise<unknown> = Promise.resolve();
  function mutate(
    plan: (state: Applied) => { next: Omit<Applied, "revision">; change: ModelChange } | null,
  ): Promise<void> {
    const run = changing.catch(() => {}).then(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const state: Applied = await store.models.state() ?? { ...applied, revision: 0 };
        const planned = plan(state);
        if (planned === null) return;
        if (await store.models.change(state.revision, planned.next, planned.change)) {
          await sync();
          deps.announce?.("changed");
          return;
        }
      }
      throw new ProblemError(
        409,
        "conflict",
        "the model state kept changing under this request (other admins at work?); retry",
      );
    });
    changing = run;
    return run;
  }

  const loaded = (version: string): ScoringModel => {
    const model = registry.get(version);
    if (!model) {
      throw new ProblemError(
        404,
        "not-found",
        `no model version ${version} is loaded; loaded: ${
          registry.all().map((m) => m.meta.model_version).join(", ")
        } (add its directory to MODELS_DIR and POST /models/reload)`,
      );
    }
    return model;
  };
  const championOf = (state: Applied) => registry.get(state.champion) ?? current.champion;
  const record = (
    actor: Actor,
    action: ModelChangeRow["action"],
    from: string | null,
    to: string | null,
  ): ModelChange => ({
    at: now().toISOString(),
    key_id: actor.keyId,
    action,
    from_version: from,
    to_version: to,
    reason: actor.reason,
  });
  const checkCompatible = (state: Applied, model: ScoringModel) => {
    const diffs = differences(championOf(state), model);
    if (diffs.length) throw incompatible(model.meta.model_version, state.champion, diffs);
  };

  return {
    source: () => current,
    model: (version) => registry.get(version),
    sync,
    poll(ms, onError) {
      // A tick while a read is still out (a slow database) is skipped, not queued.
      const timer = setInterval(() => {
        if (syncing === null) sync().catch((err) => onError?.(err));
      }, ms);
      Deno.unrefTimer(timer);
      return () => clearInterval(timer);
    },
    warnings: () => [
      ...registry.skipped().map((s) => `model directory ${s.dir} skipped: ${s.reason}`),
      ...stateWarnings,
    ],
    async list(): Promise<ModelVersionInfo[]> {
      const scored = await store.models.rowsScored();
      const set = current;
      const shadows = new Set(set.shadows.map((s) => s.meta.model_version));
      return await Promise.all(
        registry.all().map(async (m) => {
          const version = m.meta.model_version;
          return {
            version,
            role: m === set.champion ? "champion" : shadows.has(version) ? "shadow" : "loaded",
            model_type: m.meta.model_type,
            features: m.meta.features.map((f) => f.name),
            threshold: m.meta.threshold,
            created_at: await createdAt(m),
            rows_scored: scored.get(version) ?? 0,
          };
        }),
      );
    },
    async changes(limit = 50) {
      return await store.models.changes(limit);
    },
    promote(version, actor) {
      return mutate((state) => {
        const model = loaded(version);
        if (version === state.champion) {
          throw new ProblemError(409, "conflict", `version ${version} is the champion already`);
        }
        checkCompatible(state, model);
        return crown(state, version, record(actor, "promote", state.champion, version));
      });
    },
    rollback(actor) {
      return mutate((state) => {
        const previous = state.previous;
        if (previous === null) {
          throw new ProblemError(
            409,
            "conflict",
            `there is no previous champion to roll back to: ${state.champion} is the first`,
          );
        }
        const model = registry.get(previous);
        if (!model) {
          throw new ProblemError(
            409,
            "conflict",
            `the previous champion ${previous} is not loaded here (its directory left ` +
              "MODELS_DIR?): promote a loaded version instead",
          );
        }
        checkCompatible(state, model);
        return crown(state, previous, record(actor, "rollback", state.champion, previous));
      });
    },
    setShadow(version, on, actor) {
      return mutate((state) => {
        const shadowing = state.shadows.includes(version);
        if (!on) {
          if (!shadowing) {
            loaded(version); // 404 for an unknown version; else nothing to do
            return null;
          }
          return {
            next: { ...state, shadows: state.shadows.filter((s) => s !== version) },
            change: record(actor, "shadow_off", null, version),
          };
        }
        const model = loaded(version);
        if (version === state.champion) {
          throw new ProblemError(
            409,
            "conflict",
            `version ${version} is the champion: a champion does not shadow itself`,
          );
        }
        if (shadowing) return null;
        checkCompatible(state, model);
        return {
          next: { ...state, shadows: [...state.shadows, version] },
          change: record(actor, "shadow_on", null, version),
        };
      });
    },
    async reload() {
      const result = await registry.rescan();
      // A state that named a version missing here may be servable now.
      if (stateWarnings.length) {
        applied = { ...applied, revision: -1 };
        await sync();
      }
      deps.announce?.("reloaded");
      return { loaded: result.loaded, skipped: result.skipped };
    },
  };
}
