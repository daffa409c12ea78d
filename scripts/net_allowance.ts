/**
 * Least privilege for hosts the tasks cannot know in advance: prints
 * `,host:port` for the PostgreSQL server of `DATABASE_URL` and the host of
 * `ALERT_WEBHOOK_URL` (nothing for what is unset), for deno.json's tasks to
 * append to their `--allow-net` list through the task shell's command
 * substitution:
 *
 *     --allow-net=0.0.0.0,127.0.0.1,localhost$(deno run --allow-env=DATABASE_URL,ALERT_WEBHOOK_URL scripts/net_allowance.ts)
 *
 * So `deno task start` may reach exactly the configured database and
 * webhook and nothing else; it reads only those two variables. A malformed
 * URL prints nothing: the service then stops on its configuration check (or
 * warns that alerts cannot be delivered) with a clear message.
 *
 * @module
 */
import { isPostgresTarget, parsePostgresUrl } from "../api/store/mod.ts";

/** The `--allow-net` suffix for a database target: `,host:port`, or "" for none. */
export function databaseNetAllowance(target: string | undefined): string {
  if (!target || !isPostgresTarget(target)) return "";
  try {
    const url = parsePostgresUrl(target);
    return url.hosts.map((host, i) => {
      const name = host.includes(":") ? `[${host}]` : host;
      return `,${name}:${url.ports[i]}`;
    }).join("");
  } catch {
    return "";
  }
}

/** The `--allow-net` suffix for a webhook URL: `,host` (with its port when given), or "". */
export function webhookNetAllowance(url: string | undefined): string {
  if (!url) return "";
  try {
    const { protocol, host } = new URL(url);
    return protocol === "https:" || protocol === "http:" ? `,${host}` : "";
  } catch {
    return "";
  }
}

/** A variable's value, or undefined when unset or not granted to this run (a task asks for fewer). */
function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

if (import.meta.main) {
  const allowance = databaseNetAllowance(readEnv("DATABASE_URL")) +
    webhookNetAllowance(readEnv("ALERT_WEBHOOK_URL"));
  await Deno.stdout.write(new TextEncoder().encode(allowance));
}
