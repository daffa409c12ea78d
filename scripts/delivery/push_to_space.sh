#!/usr/bin/env bash
# Pushes the files of one commit of this repository to a Hugging Face Space's git repository, as
# one new commit on top of the Space's history (no force push). Binary files go through Git LFS
# (the Hub refuses them otherwise); the Space's own LFS rules in .gitattributes are kept.
# Prints `pushed_at=<UTC time>` on stdout when it pushed, `pushed_at=` when the Space already had
# exactly these files. Used by .github/workflows/deploy.yml.
#
# Usage: scripts/delivery/push_to_space.sh OWNER/NAME [COMMIT]   (COMMIT defaults to HEAD)
# Environment: HF_TOKEN (required), HF_USERNAME (default: OWNER), SPACE_GIT_URL (default:
# https://huggingface.co/spaces/OWNER/NAME; tests point it at a local bare repository).
set -euo pipefail

space_id=${1:?usage: push_to_space.sh OWNER/NAME [COMMIT]}
commit=${2:-HEAD}
[[ "$space_id" =~ ^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
  { echo "push_to_space: '$space_id' is not a Space id (owner/name)" >&2; exit 2; }
: "${HF_TOKEN:?push_to_space: HF_TOKEN is not set}"
export HF_TOKEN
user=${HF_USERNAME:-${space_id%%/*}}
[[ "$user" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "push_to_space: bad HF_USERNAME" >&2; exit 2; }
url=${SPACE_GIT_URL:-https://huggingface.co/spaces/$space_id}
repo=$(git rev-parse --show-toplevel)
sha=$(git -C "$repo" rev-parse --verify "$commit^{commit}")

# The token stays in the environment: this credential helper hands it to git and git-lfs, so it
# is never in a URL, an argument list or a file.
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=credential.helper
export GIT_CONFIG_VALUE_0="!f() { test \"\$1\" = get && printf 'username=%s\npassword=%s\n' '$user' \"\$HF_TOKEN\"; }; f"
export GIT_TERMINAL_PROMPT=0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
GIT_LFS_SKIP_SMUDGE=1 git clone -q --depth 1 "$url" "$work/space" >&2 || {
  echo "push_to_space: cannot clone $url: create the Space first (SDK: Docker), check HF_TOKEN" >&2
  exit 1
}
cd "$work/space"
git lfs install --local >/dev/null

# Replace the Space's files with the commit's, keeping .gitattributes (the Space's LFS rules).
git ls-files -z | grep -zvxF '.gitattributes' | xargs -0 -r git rm -q --
git -C "$repo" archive --format=tar "$sha" | tar -x -C .
# Binary files by git's own detection (numstat "-"), each tracked by its exact name.
empty_tree=$(git hash-object -t tree /dev/null)
git -C "$repo" diff --numstat "$empty_tree" "$sha" | awk -F'\t' '$1 == "-" { print $3 }' |
  while IFS= read -r file; do git lfs track --filename "$file" >/dev/null; done
git add -A
if git diff --cached --quiet; then
  echo "push_to_space: the Space already has the files of $sha" >&2
  echo "pushed_at="
  exit 0
fi
git -c user.name="github-actions[bot]" \
  -c user.email="41898282+github-actions[bot]@users.noreply.github.com" \
  commit -q -m "Deploy $sha"
pushed_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
git push -q origin HEAD:main >&2
echo "push_to_space: pushed $sha to $space_id" >&2
echo "pushed_at=$pushed_at"
