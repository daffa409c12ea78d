# Scorewatch: scoring API + monitoring site in one container, for a Hugging Face Space (Docker
# SDK) or any Docker host. scripts/docker_recipe.sh runs these same steps without Docker; keep the
# two in step.
#
# Base: the official Deno image, Debian flavour, at the exact Deno version CI and development use
# (2.9.6). Chosen over node-slim + `npm install deno`: one runtime instead of two, a smaller image,
# and it ships tini as PID 1 (ENTRYPOINT), which forwards `docker stop`'s SIGTERM so the service can
# flush the audit log. Debian rather than distroless or Alpine: glibc for esbuild's native binary
# and a shell for `deno task`. Pinned by version; to pin the digest too, append the value of
# `docker buildx imagetools inspect denoland/deno:debian-2.9.6` as `@sha256:...`.
FROM denoland/deno:debian-2.9.6

# Spaces run the container as UID 1000; give that user a writable HOME and the Deno cache.
RUN useradd --create-home --uid 1000 user
ENV HOME=/home/user \
    DENO_DIR=/home/user/.cache/deno \
    DENO_NO_UPDATE_CHECK=1 \
    NO_COLOR=1
WORKDIR /app
RUN chown user:user /app
USER user

# npm dependencies, exactly as locked, in their own layer (rebuilt only when these files change):
# the running container never needs the network.
COPY --chown=user:user deno.json deno.lock ./
RUN deno install --frozen

# The app, then the site's island bundles, so that the image holds a finished build.
COPY --chown=user:user . .
RUN deno task build && mkdir -p var

# The audit log goes to /data (Spaces persistent storage, or `-v host_dir:/data`). When /data is
# absent or not writable the app falls back to DB_FALLBACK_PATH, inside the container (lost when
# it is replaced), and says so in the log and on /health.
ENV PORT=7860 \
    HOST=0.0.0.0 \
    DB_PATH=/data/predictions.sqlite \
    DB_FALLBACK_PATH=/app/var/predictions.sqlite
EXPOSE 7860

# Ready = model loaded and audit log writable. No curl in this image: a one-line Deno fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["deno", "eval", "--no-config", "const r = await fetch(`http://127.0.0.1:${Deno.env.get('PORT')}/health/ready`); Deno.exit(r.ok ? 0 : 1)"]

# The same command and least-privilege permissions as local `deno task start` (see deno.json).
CMD ["deno", "task", "start"]
