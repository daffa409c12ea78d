/**
 * Least privilege for a database whose host the tasks cannot know in
 * advance: prints `,host:port` of `DATABASE_URL` when it is a PostgreSQL
 * URL (nothing otherwise), for deno.json's tasks to append to their
 * `--allow-net` list through the task shell's command substitution:
 *
 *     --allow-net=0.0.0.0,127.0.0.1,localhost$(deno run --allow-env=DATABASE_URL scripts/database_net.ts)
 *
 * So `deno task start` may reach exactly the configured database and
 * nothing else; it reads only `DATABASE_URL`. A malformed URL prints
 * nothing: the service then stops on its configuration check with a clear
 * message.
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

if (import.meta.main) {
  const allowance = databaseNetAllowance(Deno.env.get("DATABASE_URL"));
  await Deno.stdout.write(new TextEncoder().encode(allowance));
}
