/**
 * A small in-memory {@link ModelAdmin} for the site's tests and the
 * screenshot task: versions with roles, a change history, and the calls it
 * received. Refuses like the real one: 404 for an unknown version, 409 for a
 * change that does not apply.
 *
 * @module
 */
import type { Actor, ModelAdmin, ModelChange, ModelVersionInfo } from "../../api/model_admin.ts";
import { ProblemError } from "../../api/http/problem.ts";

/** A fake model admin and what it was asked. */
export interface FakeModelAdmin extends ModelAdmin {
  versions: ModelVersionInfo[];
  history: ModelChange[];
  calls: { action: string; version?: string; actor: Actor }[];
}

/** One loaded version with defaults for what a test does not care about. */
export function versionInfo(
  version: string,
  role: ModelVersionInfo["role"],
  overrides: Partial<ModelVersionInfo> = {},
): ModelVersionInfo {
  return {
    version,
    role,
    model_type: "gbdt",
    features: [],
    threshold: 0.5,
    created_at: "2026-01-01T00:00:00.000Z",
    rows_scored: 0,
    ...overrides,
  };
}

/** A fake over `versions` (exactly one champion); `now` stamps the changes. */
export function createFakeModelAdmin(
  versions: ModelVersionInfo[],
  now: () => Date = () => new Date(),
): FakeModelAdmin {
  const history: ModelChange[] = [];
  const calls: FakeModelAdmin["calls"] = [];
  const previous: string[] = [];
  const find = (version: string) => {
    const v = versions.find((x) => x.version === version);
    if (!v) throw new ProblemError(404, "not-found", `no model version ${version} is loaded`);
    return v;
  };
  const champion = () => versions.find((v) => v.role === "champion")!;
  const record = (change: Omit<ModelChange, "at">) =>
    history.unshift({ at: now().toISOString(), ...change });
  return {
    versions,
    history,
    calls,
    list: () => Promise.resolve(versions.map((v) => ({ ...v }))),
    changes: (limit = 50) => Promise.resolve(history.slice(0, limit)),
    promote(version, actor) {
      calls.push({ action: "promote", version, actor });
      const next = find(version);
      const from = champion();
      if (next === from) {
        return Promise.reject(
          new ProblemError(409, "conflict", `${version} is the champion already`),
        );
      }
      from.role = "loaded";
      next.role = "champion";
      previous.push(from.version);
      record({
        key_id: actor.keyId,
        action: "promote",
        from_version: from.version,
        to_version: version,
        reason: actor.reason,
      });
      return Promise.resolve();
    },
    rollback(actor) {
      calls.push({ action: "rollback", actor });
      const back = previous.pop();
      if (back === undefined) {
        return Promise.reject(
          new ProblemError(409, "conflict", "no previous champion to roll back to"),
        );
      }
      const from = champion();
      from.role = "loaded";
      find(back).role = "champion";
      record({
        key_id: actor.keyId,
        action: "rollback",
        from_version: from.version,
        to_version: back,
        reason: actor.reason,
      });
      return Promise.resolve();
    },
    setShadow(version, on, actor) {
      calls.push({ action: on ? "shadow_on" : "shadow_off", version, actor });
      const v = find(version);
      v.role = on ? "shadow" : "loaded";
      record({
        key_id: actor.keyId,
        action: on ? "shadow_on" : "shadow_off",
        from_version: null,
        to_version: version,
        reason: actor.reason,
      });
      return Promise.resolve();
    },
    reload: () => Promise.resolve({ loaded: [], skipped: [] }),
  };
}
