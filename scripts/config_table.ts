/**
 * Prints the README's configuration table from `CONFIG`, the single
 * source of the service's environment variables (`api/config_readme_test.ts`
 * checks that the README carries exactly this table).
 *
 * @module
 */
import { CONFIG, type ConfigVarSpec } from "../api/config.ts";

/** The markdown table of every variable, its default and meaning. */
export function configTable(): string {
  const rows = Object.entries(CONFIG as Record<string, ConfigVarSpec>).map(
    ([name, spec]) =>
      `| \`${name}\` | ${spec.default === "" ? "(empty)" : `\`${spec.default}\``} | ${
        spec.doc.replaceAll("|", "\\|")
      } |`,
  );
  return ["| variable | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

if (import.meta.main) console.log(configTable());
