#!/usr/bin/env bash
# Replays the BAD cases of issues 12 and 19 against two builds of the CLI and prints a Markdown table.
#
#   tests/robustness/replay.sh OLD_CLI NEW_CLI
#
# OLD_CLI / NEW_CLI: an ilgpucnn.dll (run with dotnet) or an executable, already built (this script
# builds nothing). Every case runs on the CPU device with small shapes under `timeout`, measured
# by /usr/bin/time -v (wall time, peak resident memory, exit code; 124 = killed by the timeout).
# Real data: $ILGPUCNN_DATA, else ../shared/data/cifar10 beside the repository.
# Needs: bash, coreutils timeout, /usr/bin/time, python3, openssl (for the stalled-download cases).
# REPLAY_TIMEOUT (default 60 s) is how long a case may run before it counts as a hang;
# REPLAY_ONLY="diverge sigterm ..." runs only those cases (ids: diverge nan-evaluate nan-predict sigterm
# stall-headers stall-body sigint-download png-bomb bench-batch summary-width sparse-tensor negiter
# busy-out sigint-final; issue 19: special-out export-itself bomb-cell gif-frames config-zero
# overwrite-mix resume-other export-checkpoint lr-resume env-stall max-minutes-abc long-name
# out-under-file out-proc dir-as-file full-disk read-only redirect; the bomb-cell case builds
# tests/robustness/bomb_parquet.cs with `dotnet run` once; full-disk needs root for its tmpfs mounts). Work files go to a temp folder
# (kept, its path is printed), the table to stdout and to that folder's results.md.
set -uo pipefail
set -m # job control: background cases keep SIGINT (a non-interactive shell would ignore it)

if [ $# -ne 2 ]; then
    echo "usage: $0 OLD_CLI NEW_CLI (each an ilgpucnn.dll or an executable)" >&2
    exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
DATA=${ILGPUCNN_DATA:-$REPO/../shared/data/cifar10}
HANG=${REPLAY_TIMEOUT:-60}
W=$(mktemp -d /tmp/ilgpucnn-replay.XXXXXX)
declare -A CLI

command_of() {
    case "$1" in
        *.dll) echo "dotnet $(realpath "$1")" ;;
        *) realpath "$1" ;;
    esac
}
CLI[old]=$(command_of "$1")
CLI[new]=$(command_of "$2")
for f in "$DATA/train-00000-of-00001.parquet" "$DATA/test-00000-of-00001.parquet"; do
    [ -f "$f" ] || { echo "no $f: set ILGPUCNN_DATA to the CIFAR-10 Parquet folder" >&2; exit 2; }
done
export -n ILGPUCNN_DATA
echo "work folder: $W" >&2

# ---- helpers -----------------------------------------------------------------------------------

# start ID V T ARGS...: runs CLI V with ARGS in the background under time and timeout T (s);
# BG is the job's pid. Environment assignments for the case go in the ENVS array.
ENVS=()
start() {
    local id=$1 v=$2 t=$3
    shift 3
    # shellcheck disable=SC2086
    env "${ENVS[@]}" /usr/bin/time -v -o "$W/$id.$v.time" timeout -k 5 "$t" ${CLI[$v]} "$@" \
        >"$W/$id.$v.out" 2>"$W/$id.$v.err" &
    BG=$!
}

# run ID V T ARGS...: start and wait.
run() {
    start "$@"
    wait "$BG" 2>/dev/null
}

# capped ID V T ARGS...: like run, but the CLI is killed once it holds more than CAP_GB (default 6)
# GB resident, to spare the shared machine; the .note file says so.
capped() {
    local id=$1 v=$2 pid rss cap=$((${CAP_GB:-6} * 1024 * 1024))
    start "$@"
    pid=$(cli_pid)
    while kill -0 "$BG" 2>/dev/null; do
        rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
        if [ "${rss:-0}" -gt "$cap" ]; then
            kill -KILL "$pid" 2>/dev/null
            echo "stopped by this script at ${CAP_GB:-6} GB resident" >"$W/$id.$v.note"
        fi
        sleep 0.1
    done
    wait "$BG" 2>/dev/null
}

note() { [ -f "$W/$1.$2.note" ] && echo "; $(cat "$W/$1.$2.note")"; }

# pid of the CLI process of the running case (time -> timeout -> CLI).
cli_pid() {
    local t d
    for _ in $(seq 100); do
        t=$(pgrep -P "$BG" | head -1)
        if [ -n "$t" ]; then
            d=$(pgrep -P "$t" | head -1)
            [ -n "$d" ] && { echo "$d"; return; }
        fi
        sleep 0.1
    done
}

# wait_for FILE TEXT SECONDS: true once FILE contains TEXT, false when the job ends or time is up.
wait_for() {
    local end=$((SECONDS + $3))
    while [ $SECONDS -lt $end ]; do
        grep -q -- "$2" "$1" 2>/dev/null && return 0
        kill -0 "$BG" 2>/dev/null || { grep -q -- "$2" "$1" 2>/dev/null; return; }
        sleep 0.2
    done
    return 1
}

# measured ID V [T]: "exit E, T s, M MB" from /usr/bin/time -v (exit 124: killed by the timeout T;
# a CLI ended by a signal shows as exit 128 + N: timeout re-raises it, time reports the signal).
measured() {
    local f=$W/$1.$2.time code wall rss sig
    code=$(sed -n 's/^\s*Exit status: //p' "$f")
    sig=$(sed -n 's/^Command terminated by signal //p' "$f")
    [ -n "$sig" ] && code="$((128 + sig)) (killed by signal $sig)"
    wall=$(sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$f")
    rss=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$f")
    wall=$(awk -v t="$wall" 'BEGIN { n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.1f", s }')
    if [ "$code" = 124 ] || [ "$code" = 137 ]; then
        echo "**killed by the ${3:-$HANG} s timeout** (exit $code), ${wall} s, $((rss / 1024)) MB"
    else
        echo "exit $code, ${wall} s, $((rss / 1024)) MB"
    fi
}

# said ID V: the last non-empty line the case wrote to stderr (progress carriage returns removed), quoted.
said() {
    local line
    line=$(tr '\r' '\n' <"$W/$1.$2.err" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -v '^\s*$' | tail -1 | cut -c1-400)
    [ -n "$line" ] && printf '"%s"' "${line//|/\\|}" || echo "(nothing on stderr)"
}

# grep_line ID V TEXT: the first line of the case's stderr, else stdout, containing TEXT, quoted.
grep_line() {
    local line
    line=$(cat "$W/$1.$2.err" "$W/$1.$2.out" | tr '\r' '\n' | grep -m1 -- "$3" | cut -c1-400)
    [ -n "$line" ] && printf '"%s"' "${line//|/\\|}" || echo "(no line with '$3')"
}

# since ID V: seconds from the signal (the .signalled stamp) to the end of the case.
since() { awk -v a="$(cat "$W/$1.$2.signalled" 2>/dev/null || echo 0)" -v b="$(cat "$W/$1.$2.ended")" 'BEGIN { printf "%.1f", b - a }'; }

yes_no() { if [ -e "$1" ]; then echo yes; else echo no; fi; }

parts_in() { find "$1" -name '*.part' 2>/dev/null | wc -l; }

ROWS=()
row() { ROWS+=("| $1 | $2 | $3 |"); printf '%s\n' "| $1 | $2 | $3 |" >&2; }

wanted() { [ -z "${REPLAY_ONLY:-}" ] || [[ " $REPLAY_ONLY " == *" $1 "* ]]; }

SMALL=(--device cpu --data "$DATA" --width 0.125 --batch-size 32 --test-limit 64)

# ---- shared inputs: a small trained run per version, images, the crafted files -----------------

python3 "$HERE/craft.py" png "$W/cat1.png" 1
python3 "$HERE/craft.py" png "$W/cat2.png" 2
for v in old new; do
    run base "$v" 600 train "${SMALL[@]}" --train-limit 256 --epochs 1 --out "$W/base-$v"
    if [ ! -f "$W/base-$v/model.safetensors" ] || [ ! -f "$W/base-$v/checkpoint.safetensors" ]; then
        echo "the $v CLI did not train the small base run: $(said base "$v")" >&2
        exit 1
    fi
    python3 "$HERE/craft.py" nan "$W/base-$v/model.safetensors" "$W/nan-$v.safetensors"
    python3 "$HERE/craft.py" negiter "$W/base-$v/checkpoint.safetensors" "$W/negiter-$v.safetensors"
done
row "reference: small train (width 0.125, 256 rows, 1 epoch)" "$(measured base old 600)" "$(measured base new 600)"

# ---- the cases ---------------------------------------------------------------------------------

if wanted diverge; then
    for v in old new; do
        run diverge "$v" "$HANG" train --device cpu --data "$DATA" --width 0.25 --train-limit 256 --test-limit 128 --epochs 1 --lr 1e10 --out "$W/diverge-$v"
    done
    row "diverging run: \`train --width 0.25 --train-limit 256 --test-limit 128 --epochs 1 --lr 1e10\`" \
        "$(measured diverge old)" "$(measured diverge new); $(said diverge new)"
    run diverge-ref old "$HANG" train --device cpu --data "$DATA" --width 0.25 --train-limit 256 --test-limit 128 --epochs 1 --out "$W/diverge-ref-old"
    row "reference: the same run with the default --lr" "$(measured diverge-ref old)" "(not run)"
fi

if wanted nan-evaluate; then
    for v in old new; do
        run nan-evaluate "$v" "$HANG" evaluate --device cpu --data "$DATA" --test-limit 64 --model "$W/nan-$v.safetensors" --out "$W/nan-evaluate-$v"
    done
    row "\`evaluate\` with a NaN-weights model" "$(measured nan-evaluate old)" "$(measured nan-evaluate new); $(said nan-evaluate new)"
fi

if wanted nan-predict; then
    for v in old new; do
        run nan-predict "$v" "$HANG" predict --device cpu --model "$W/nan-$v.safetensors" "$W/cat1.png" "$W/cat2.png"
    done
    row "\`predict\` on two images with a NaN-weights model" "$(measured nan-predict old)" "$(measured nan-predict new); $(said nan-predict new)"
fi

if wanted sigterm; then
    for v in old new; do
        start sigterm "$v" 600 train "${SMALL[@]}" --train-limit 4096 --epochs 2 --out "$W/sigterm-$v"
        pid=$(cli_pid)
        if wait_for "$W/sigterm.$v.out" "Epoch 1/" 300; then
            sleep 3
            kill -TERM "$pid" 2>/dev/null
            date +%s.%N >"$W/sigterm.$v.signalled"
        fi
        wait "$BG" 2>/dev/null
        date +%s.%N >"$W/sigterm.$v.ended"
    done
    row "SIGTERM 3 s into epoch 1 of 2 (4,096 rows)" \
        "$(measured sigterm old 600), ended $(since sigterm old) s after the signal; checkpoint written: $(yes_no "$W/sigterm-old/checkpoint.safetensors")" \
        "$(measured sigterm new 600), ended $(since sigterm new) s after the signal; checkpoint written: $(yes_no "$W/sigterm-new/checkpoint.safetensors"); $(grep_line sigterm new 'Resume with')"
fi

# Stalled downloads. The old CLI has no URL override (the hub URL is a constant; ILGPUCNN_DOWNLOAD_URL
# came with the fix), so both CLIs download from the real hub URL through a loopback HTTPS proxy
# (HTTPS_PROXY, which .NET's HttpClient honours) that answers CONNECT and then plays the hub itself
# with a throw-away certificate the client trusts through SSL_CERT_FILE. The new CLI's stall timeout
# is set to 5 s (ILGPUCNN_DOWNLOAD_STALL_SECONDS; the old CLI ignores it).
if wanted stall-headers || wanted stall-body || wanted sigint-download; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/hub.key" -out "$W/hub.pem" -days 2 \
        -subj /CN=huggingface.co -addext subjectAltName=DNS:huggingface.co 2>/dev/null
    serve() { # serve MODE: starts the stalling proxy, sets SERVER (pid) and PORT
        rm -f "$W/port"
        python3 "$HERE/stall_server.py" "$1" "$W/port" "$W/hub.pem" "$W/hub.key" &
        SERVER=$!
        for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
        PORT=$(cat "$W/port")
    }
    download_env() { # download_env ID V
        mkdir -p "$W/cache-$1-$2"
        ENVS=(-u ILGPUCNN_DATA "XDG_CACHE_HOME=$W/cache-$1-$2" "HTTPS_PROXY=http://127.0.0.1:$PORT" "https_proxy=http://127.0.0.1:$PORT"
            "SSL_CERT_FILE=$W/hub.pem" ILGPUCNN_DOWNLOAD_STALL_SECONDS=5)
    }
    for mode in headers body; do
        wanted "stall-$mode" || continue
        serve "$mode"
        for v in old new; do
            download_env "stall-$mode" "$v"
            run "stall-$mode" "$v" "$HANG" data
        done
        ENVS=()
        kill "$SERVER"
        wait "$SERVER" 2>/dev/null
        what=$([ "$mode" = headers ] && echo "accepts, then sends no headers" || echo "sends headers and 30,000 of 100,000 bytes, then nothing")
        row "\`data\` download from a server that $what" \
            "$(measured "stall-$mode" old); partial files left: $(parts_in "$W/cache-stall-$mode-old")" \
            "$(measured "stall-$mode" new); partial files left: $(parts_in "$W/cache-stall-$mode-new"); $(said "stall-$mode" new)"
    done
    if wanted sigint-download; then
        serve body
        for v in old new; do
            download_env sigint-download "$v"
            start sigint-download "$v" "$HANG" train --device cpu --width 0.125 --epochs 1 --out "$W/sigint-download-$v"
            pid=$(cli_pid)
            if wait_for "$W/sigint-download.$v.err" "ownloading" 30; then
                sleep 2
                kill -INT "$pid" 2>/dev/null
                date +%s.%N >"$W/sigint-download.$v.signalled"
            fi
            wait "$BG" 2>/dev/null
            date +%s.%N >"$W/sigint-download.$v.ended"
        done
        ENVS=()
        kill "$SERVER"
        wait "$SERVER" 2>/dev/null
        row "Ctrl+C (SIGINT) during the download in \`train\` (server stalled mid-body)" \
            "$(measured sigint-download old), ended $(since sigint-download old) s after the signal; $(grep_line sigint-download old Interrupted); partial files left: $(parts_in "$W/cache-sigint-download-old")" \
            "$(measured sigint-download new), ended $(since sigint-download new) s after the signal; $(grep_line sigint-download new Interrupted); partial files left: $(parts_in "$W/cache-sigint-download-new")"
    fi
fi

if wanted png-bomb; then
    python3 "$HERE/craft.py" bomb "$W/bomb.png" 30000
    size=$(stat -c %s "$W/bomb.png")
    for v in old new; do
        run png-bomb "$v" "$HANG" predict --device cpu --model "$W/base-$v/model.safetensors" "$W/bomb.png"
    done
    row "\`predict\` on a 30,000×30,000 PNG ($((size / 1024)) KB on disk)" "$(measured png-bomb old); $(said png-bomb old)" "$(measured png-bomb new); $(said png-bomb new)"
fi

# bench at batch 20,000 needs ~53 GiB by the new estimate; the old CLI is stopped after 10 s or
# once it holds 6 GB (the machine is shared), whichever comes first.
if wanted bench-batch; then
    for v in old new; do
        capped bench-batch "$v" 10 bench --device cpu --batch-size 20000 --steps 1
    done
    row "\`bench --batch-size 20000 --steps 1\` (stopped after 10 s or at 6 GB)" \
        "$(measured bench-batch old 10)$(note bench-batch old)" "$(measured bench-batch new 10); $(said bench-batch new)"
fi

# summary at the largest width: building the model held 7.2 GB here, so the cap is 8 GB.
if wanted summary-width; then
    for v in old new; do
        CAP_GB=8 capped summary-width "$v" 120 summary --width 16
    done
    row "\`summary --width 16\` (317 million parameters)" \
        "$(measured summary-width old 120)$(note summary-width old); $(grep_line summary-width old 'Total params')" \
        "$(measured summary-width new 120); $(grep_line summary-width new 'Total params')"
fi

# A model file with two extra, unknown 1 GiB tensors (sparse holes in the file: no disk used).
if wanted sparse-tensor; then
    for v in old new; do
        python3 "$HERE/craft.py" sparse "$W/base-$v/model.safetensors" "$W/sparse-$v.safetensors" 2
        capped sparse-tensor "$v" "$HANG" predict --device cpu --model "$W/sparse-$v.safetensors" "$W/cat1.png"
        rm -f "$W/sparse-$v.safetensors"
    done
    row "\`predict\` with a model file that also holds two unknown 1 GiB tensors" \
        "$(measured sparse-tensor old)$(note sparse-tensor old); $(said sparse-tensor old)" "$(measured sparse-tensor new); $(said sparse-tensor new)"
fi

if wanted negiter; then
    for v in old new; do
        run negiter "$v" "$HANG" train "${SMALL[@]}" --train-limit 256 --epochs 2 --resume "$W/negiter-$v.safetensors" --out "$W/negiter-run-$v"
    done
    row "\`train --resume\` a checkpoint whose training state has iterations = -5" "$(measured negiter old)" "$(measured negiter new); $(said negiter new)"
fi

if wanted busy-out; then
    for v in old new; do
        start busy-a "$v" 600 train "${SMALL[@]}" --train-limit 2048 --epochs 1 --out "$W/busy-$v"
        a=$BG
        wait_for "$W/busy-a.$v.out" "Epoch 1/" 300
        run busy-b "$v" 600 train "${SMALL[@]}" --train-limit 2048 --epochs 1 --out "$W/busy-$v"
        BG=$a
        wait "$a" 2>/dev/null
    done
    row "a second \`train\` into the --out of a running one" \
        "first: $(measured busy-a old 600); second: $(measured busy-b old 600)" \
        "first: $(measured busy-a new 600); second: $(measured busy-b new 600); $(said busy-b new)"
fi

if wanted sigint-final; then
    for v in old new; do
        start sigint-final "$v" 600 train --device cpu --data "$DATA" --width 0.125 --batch-size 32 --train-limit 256 --test-limit 3000 --epochs 1 --out "$W/sigint-final-$v"
        pid=$(cli_pid)
        # The last epoch's line, then 3 s: the test evaluation (~30 s of it) is running.
        if wait_for "$W/sigint-final.$v.out" "learning_rate:" 300; then
            sleep 3
            kill -INT "$pid" 2>/dev/null
            date +%s.%N >"$W/sigint-final.$v.signalled"
        fi
        wait "$BG" 2>/dev/null
        date +%s.%N >"$W/sigint-final.$v.ended"
    done
    row "Ctrl+C (SIGINT) 3 s into the final test evaluation (3,000 rows)" \
        "$(measured sigint-final old 600); ended $(since sigint-final old) s after the signal; said $(grep_line sigint-final old Interrupted); test report written: $(yes_no "$W/sigint-final-old/classification_report.txt"); $(grep_line sigint-final old 'Test accuracy')" \
        "$(measured sigint-final new 600); ended $(since sigint-final new) s after the signal; said $(grep_line sigint-final new Interrupted); test report written: $(yes_no "$W/sigint-final-new/classification_report.txt"); $(grep_line sigint-final new 'Stopped')"
fi

# ---- issue 19: what a command may overwrite, image bombs outside predict, options honoured --------

# kind PATH: what PATH is now (stat's words), for "replaced or not".
kind() { stat -c %F "$1" 2>/dev/null || echo missing; }

if wanted special-out; then
    for v in old new; do
        mkfifo "$W/fifo-$v"
        run special-fifo "$v" "$HANG" export --model "$W/base-$v/model.safetensors" --out "$W/fifo-$v"
        if [ "$(id -u)" = 0 ]; then
            mknod "$W/null-$v" c 1 3
            run special-null "$v" "$HANG" preview --data "$DATA" --out "$W/null-$v"
        fi
    done
    row "\`export --out\` onto a FIFO" "$(measured special-fifo old); the FIFO is now a $(kind "$W/fifo-old")" "$(measured special-fifo new); still a $(kind "$W/fifo-new"); $(said special-fifo new)"
    [ "$(id -u)" = 0 ] && row "\`preview --out\` onto a character device (a copy of /dev/null made with mknod, as root)" \
        "$(measured special-null old); the node is now a $(kind "$W/null-old")" "$(measured special-null new); still a $(kind "$W/null-new"); $(said special-null new)"
fi

if wanted export-itself; then
    for v in old new; do
        mkdir -p "$W/itself-$v"
        cp -l "$DATA"/*.parquet "$W/itself-$v/" # hard links: a rename over them leaves $DATA's files alone
        run export-itself "$v" 120 data --data "$W/itself-$v" --export "$W/itself-$v" --train-limit 10 --test-limit 10
    done
    row "\`data --data D --export D --train-limit 10 --test-limit 10\`" \
        "$(measured export-itself old 120); D's training file is now $(stat -c %s "$W/itself-old/train-00000-of-00001.parquet") bytes" \
        "$(measured export-itself new 120); D's training file is still $(stat -c %s "$W/itself-new/train-00000-of-00001.parquet") bytes; $(said export-itself new)"
fi

if wanted bomb-cell; then
    python3 "$HERE/craft.py" bomb "$W/cell.png" 30000
    mkdir -p "$W/bomb-data"
    ln -sf "$DATA/test-00000-of-00001.parquet" "$W/bomb-data/test-00000-of-00001.parquet"
    (cd "$REPO" && dotnet run tests/robustness/bomb_parquet.cs -- "$DATA/train-00000-of-00001.parquet" "$W/cell.png" "$W/bomb-data/train-00000-of-00001.parquet") >&2
    for v in old new; do
        capped bomb-preview "$v" "$HANG" preview --data "$W/bomb-data" --out "$W/bomb-preview-$v.png"
        capped bomb-train "$v" "$HANG" train --device cpu --data "$W/bomb-data" --width 0.125 --train-limit 40 --test-limit 8 --epochs 1 --out "$W/bomb-train-$v"
    done
    row "\`preview\` on a Parquet training file whose row 3 is a 30,000×30,000 PNG ($(($(stat -c %s "$W/bomb-data/train-00000-of-00001.parquet") / 1024)) KB file)" \
        "$(measured bomb-preview old)$(note bomb-preview old); $(said bomb-preview old)" "$(measured bomb-preview new); $(said bomb-preview new)"
    row "\`train\` on that file" "$(measured bomb-train old)$(note bomb-train old); $(said bomb-train old)" "$(measured bomb-train new); $(said bomb-train new)"
fi

if wanted gif-frames; then
    python3 "$HERE/craft.py" gif "$W/frames.gif" 4096 40
    for v in old new; do
        capped gif-frames "$v" "$HANG" predict --device cpu --model "$W/base-$v/model.safetensors" "$W/frames.gif"
    done
    row "\`predict\` on an animated GIF: 4,096² screen, 40 frames of 1 pixel ($(stat -c %s "$W/frames.gif") bytes)" \
        "$(measured gif-frames old)$(note gif-frames old)" "$(measured gif-frames new); $(grep_line gif-frames new frames.gif)"
fi

if wanted config-zero; then
    for v in old new; do
        mkdir -p "$W/zero-$v"
        cp "$W/base-$v/model.safetensors" "$W/zero-$v/"
        ln -s /dev/zero "$W/zero-$v/config.json"
        capped config-zero "$v" "$HANG" export --model "$W/zero-$v/model.safetensors"
    done
    row "\`export\` of a model whose config.json is a symbolic link to /dev/zero" \
        "$(measured config-zero old)$(note config-zero old); $(said config-zero old)" "$(measured config-zero new); $(said config-zero new)"
fi

# left RUN: the old run's files still in RUN beside the new config.json.
left() { local f l=""; for f in model.safetensors metrics.json model.onnx checkpoint.safetensors; do [ -e "$1/$f" ] && l="$l $f"; done; echo "${l:- none}"; }

if wanted overwrite-mix; then
    for v in old new; do
        cp -r "$W/base-$v" "$W/mix-$v"
        run overwrite-mix "$v" "$HANG" train "${SMALL[@]}" --train-limit 256 --epochs 1 --lr 1e10 --overwrite --out "$W/mix-$v"
    done
    row "\`train --overwrite\` into a finished run, the new run diverging at once" \
        "$(measured overwrite-mix old); the old run's files left:$(left "$W/mix-old")" "$(measured overwrite-mix new); the old run's files left:$(left "$W/mix-new"); $(said overwrite-mix new)"
fi

if wanted resume-other; then
    for v in old new; do
        cp -r "$W/base-$v" "$W/other-a-$v"
        cp -r "$W/base-$v" "$W/other-b-$v"
        sum=$(md5sum <"$W/other-b-$v/model.safetensors")
        run resume-other "$v" 600 train --device cpu --data "$DATA" --resume "$W/other-a-$v/checkpoint.safetensors" --epochs 2 --out "$W/other-b-$v"
        [ "$sum" = "$(md5sum <"$W/other-b-$v/model.safetensors")" ] && echo kept >"$W/other-$v.model" || echo replaced >"$W/other-$v.model"
    done
    row "\`train --resume A/checkpoint.safetensors --out B\`, B a finished run" \
        "$(measured resume-other old 600); B's model $(cat "$W/other-old.model")" "$(measured resume-other new 600); B's model $(cat "$W/other-new.model"); $(said resume-other new)"
fi

if wanted export-checkpoint; then
    for v in old new; do
        cp -r "$W/base-$v" "$W/expck-$v"
        run export-checkpoint "$v" "$HANG" export --model "$W/expck-$v/model.safetensors" --out "$W/expck-$v/checkpoint.safetensors"
        run export-checkpoint-resume "$v" "$HANG" train --device cpu --data "$DATA" --resume "$W/expck-$v/checkpoint.safetensors" --epochs 2 --out "$W/expck-$v"
    done
    row "\`export --out\` the run's own checkpoint.safetensors, then resume it" \
        "$(measured export-checkpoint old); then resume: $(said export-checkpoint-resume old)" "$(measured export-checkpoint new); $(said export-checkpoint new)"
fi

if wanted lr-resume; then
    for v in old new; do
        cp -r "$W/base-$v" "$W/lr-$v"
        run lr-resume "$v" 600 train --device cpu --data "$DATA" --resume "$W/lr-$v/checkpoint.safetensors" --epochs 2 --lr 0.0005 --out "$W/lr-$v"
        python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"]["optimizer"]["learning_rate"])' "$W/lr-$v/config.json" >"$W/lr-$v.config" 2>/dev/null
    done
    row "\`train --resume … --epochs 2 --lr 0.0005\` (the checkpoint's rate is 0.001)" \
        "$(measured lr-resume old 600); epoch line $(grep_line lr-resume old 'learning_rate:' | grep -o 'learning_rate: [0-9.e+-]*'), config.json $(cat "$W/lr-old.config")" \
        "$(measured lr-resume new 600); epoch line $(grep_line lr-resume new 'learning_rate:' | grep -o 'learning_rate: [0-9.e+-]*'), config.json $(cat "$W/lr-new.config")"
fi

if wanted env-stall; then
    for v in old new; do
        mkdir -p "$W/cache-env-$v"
        ENVS=(-u ILGPUCNN_DATA "XDG_CACHE_HOME=$W/cache-env-$v" ILGPUCNN_DOWNLOAD_STALL_SECONDS=abc "ILGPUCNN_DOWNLOAD_URL=ftp://user:secret@127.0.0.1:9/cifar10/")
        run env-stall "$v" "$HANG" data
        ENVS=()
    done
    row "\`data\` with ILGPUCNN_DOWNLOAD_STALL_SECONDS=abc and ILGPUCNN_DOWNLOAD_URL=ftp://user:secret@…" "$(measured env-stall old); $(said env-stall old)" "$(measured env-stall new); $(said env-stall new)"
fi

if wanted max-minutes-abc; then
    for v in old new; do
        run max-minutes-abc "$v" "$HANG" train --device cpu --data "$DATA" --max-minutes abc
    done
    row "\`train --max-minutes abc\`" "$(measured max-minutes-abc old); $(grep_line max-minutes-abc old abc)" "$(measured max-minutes-abc new); $(said max-minutes-abc new)"
fi

if wanted long-name; then
    long=$(printf 'n%.0s' $(seq 232)).png # 236 characters: a name the file system accepts
    for v in old new; do
        mkdir -p "$W/long-$v"
        run long-name "$v" "$HANG" preview --data "$DATA" --out "$W/long-$v/$long"
    done
    row "\`preview --out\` a 236-character file name" "$(measured long-name old); $(said long-name old)" "$(measured long-name new); written: $(yes_no "$W/long-new/$long")"
fi

# ---- issue 19, replayed second: outputs whose folder cannot hold them, a full disk, a read-only folder,
# a file or folder where the other is expected, redirects to other schemes, passwords in the URL --------

echo "not a folder" >"$W/a-file"

if wanted out-under-file; then
    for v in old new; do
        run under-file-evaluate "$v" "$HANG" evaluate --device cpu --data "$DATA" --test-limit 64 --model "$W/base-$v/model.safetensors" --out "$W/a-file/evaluate-$v"
        run under-file-preview "$v" "$HANG" preview --data "$DATA" --out "$W/a-file/preview-$v.png"
        run under-file-train "$v" "$HANG" train "${SMALL[@]}" --train-limit 256 --epochs 1 --out "$W/a-file/run-$v"
    done
    row "\`evaluate --out F/sub\`, F a regular file" "$(measured under-file-evaluate old); $(said under-file-evaluate old)" "$(measured under-file-evaluate new); $(said under-file-evaluate new)"
    row "\`preview --out F/p.png\`, F a regular file" "$(measured under-file-preview old); $(said under-file-preview old)" "$(measured under-file-preview new); $(said under-file-preview new)"
    row "\`train --out F/run\`, F a regular file" "$(measured under-file-train old); $(said under-file-train old)" "$(measured under-file-train new); $(said under-file-train new)"
fi

if wanted out-proc; then
    for v in old new; do
        run proc-evaluate "$v" "$HANG" evaluate --device cpu --data "$DATA" --test-limit 64 --model "$W/base-$v/model.safetensors" --out /proc/self
        run proc-preview "$v" "$HANG" preview --data "$DATA" --out "/proc/ilgpucnn-preview-$v.png"
    done
    row "\`evaluate --out /proc/self\`" "$(measured proc-evaluate old); $(said proc-evaluate old)" "$(measured proc-evaluate new); $(said proc-evaluate new)"
    row "\`preview --out /proc/p.png\`" "$(measured proc-preview old); $(said proc-preview old)" "$(measured proc-preview new); $(said proc-preview new)"
fi

if wanted dir-as-file; then
    mkdir -p "$W/shard-dir/train-00000-of-00001.parquet"
    ln -sf "$DATA/test-00000-of-00001.parquet" "$W/shard-dir/test-00000-of-00001.parquet"
    for v in old new; do
        run data-file "$v" "$HANG" train --device cpu --data "$W/a-file" --width 0.125 --train-limit 256 --epochs 1 --out "$W/data-file-$v"
        run shard-dir "$v" "$HANG" preview --data "$W/shard-dir" --out "$W/shard-dir-$v.png"
    done
    row "\`train --data F\`, F a regular file" "$(measured data-file old); $(said data-file old)" "$(measured data-file new); $(said data-file new)"
    row "\`preview --data D\`, D's train-00000-of-00001.parquet a folder" "$(measured shard-dir old); $(said shard-dir old)" "$(measured shard-dir new); $(said shard-dir new)"
fi

# A full disk and a read-only folder are tmpfs mounts (root only): 200 KB holds a run's config.json and
# augmentation.png but not its first checkpoint (~330 KB), 16 KB an evaluation's report but not its
# confusion matrix (~70 KB); `mount -o ro` makes a folder read-only even for root.
tmpfs_on() { mkdir -p "$1" && mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null; }
tmps_in() { find "$1" -name '*.tmp' 2>/dev/null | wc -l; }

if wanted full-disk; then
    if [ "$(id -u)" = 0 ]; then
        for v in old new; do
            tmpfs_on "$W/full-train-$v" size=200k
            run full-train "$v" "$HANG" train "${SMALL[@]}" --train-limit 256 --epochs 1 --out "$W/full-train-$v/run"
            echo "$(tmps_in "$W/full-train-$v")" >"$W/full-train-$v.tmps"
            umount "$W/full-train-$v"
            tmpfs_on "$W/full-eval-$v" size=16k
            run full-eval "$v" "$HANG" evaluate --device cpu --data "$DATA" --test-limit 64 --model "$W/base-$v/model.safetensors" --out "$W/full-eval-$v/ev"
            echo "$(tmps_in "$W/full-eval-$v")" >"$W/full-eval-$v.tmps"
            umount "$W/full-eval-$v"
        done
        row "\`train\` onto a full disk (200 KB tmpfs; the first checkpoint does not fit)" \
            "$(measured full-train old); temp files left: $(cat "$W/full-train-old.tmps"); $(said full-train old)" "$(measured full-train new); temp files left: $(cat "$W/full-train-new.tmps"); $(said full-train new)"
        row "\`evaluate\` onto a full disk (16 KB tmpfs; the confusion matrix does not fit)" \
            "$(measured full-eval old); temp files left: $(cat "$W/full-eval-old.tmps"); $(said full-eval old)" "$(measured full-eval new); temp files left: $(cat "$W/full-eval-new.tmps"); $(said full-eval new)"
    else
        row "a full disk under \`train\` and \`evaluate\`" "(not replayed: a tmpfs needs root)" "(not replayed: a tmpfs needs root)"
    fi
fi

if wanted read-only; then
    if [ "$(id -u)" = 0 ]; then
        tmpfs_on "$W/ro" ro,size=64k
        how="a read-only tmpfs, as root"
    else
        mkdir -p "$W/ro" && chmod 555 "$W/ro"
        how="mode 555"
    fi
    for v in old new; do
        run ro-preview "$v" "$HANG" preview --data "$DATA" --out "$W/ro/preview-$v.png"
        run ro-train "$v" "$HANG" train "${SMALL[@]}" --train-limit 256 --epochs 1 --out "$W/ro/run-$v"
    done
    if [ "$(id -u)" = 0 ]; then umount "$W/ro"; else chmod 755 "$W/ro"; fi
    row "\`preview --out R/p.png\`, R read-only ($how)" "$(measured ro-preview old); $(said ro-preview old)" "$(measured ro-preview new); $(said ro-preview new)"
    row "\`train --out R/run\`, R read-only" "$(measured ro-train old); $(said ro-train old)" "$(measured ro-train new); $(said ro-train new)"
fi

# shown ID V: whether the password "secret" appears anywhere in the case's output.
shown() { if cat "$W/$1.$2.out" "$W/$1.$2.err" | grep -q secret; then echo "**password shown**"; else echo "password not shown"; fi; }

if wanted redirect; then
    for target in file:///etc/passwd ftp://127.0.0.1:9/cifar10/train-00000-of-00001.parquet; do
        scheme=${target%%:*}
        rm -f "$W/port"
        python3 "$HERE/redirect_server.py" "$target" "$W/port" &
        SERVER=$!
        for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
        for v in old new; do
            mkdir -p "$W/cache-redirect-$scheme-$v"
            ENVS=(-u ILGPUCNN_DATA "XDG_CACHE_HOME=$W/cache-redirect-$scheme-$v" "ILGPUCNN_DOWNLOAD_URL=http://user:secret@127.0.0.1:$(cat "$W/port")/cifar10/" ILGPUCNN_DOWNLOAD_STALL_SECONDS=5)
            run "redirect-$scheme" "$v" "$HANG" data
            ENVS=()
        done
        kill "$SERVER"
        wait "$SERVER" 2>/dev/null
        row "\`data\` with ILGPUCNN_DOWNLOAD_URL=http://user:secret@127.0.0.1:PORT/… answering 302 to $target" \
            "$(measured "redirect-$scheme" old); $(shown "redirect-$scheme" old); $(said "redirect-$scheme" old)" "$(measured "redirect-$scheme" new); $(shown "redirect-$scheme" new); $(said "redirect-$scheme" new)"
    done
    for v in old new; do
        mkdir -p "$W/cache-refused-$v"
        ENVS=(-u ILGPUCNN_DATA "XDG_CACHE_HOME=$W/cache-refused-$v" "ILGPUCNN_DOWNLOAD_URL=http://user:secret@127.0.0.1:9/cifar10/")
        run refused "$v" "$HANG" data
        ENVS=()
    done
    row "\`data\` with ILGPUCNN_DOWNLOAD_URL=http://user:secret@127.0.0.1:9/… (connection refused)" \
        "$(measured refused old); $(shown refused old); $(said refused old)" "$(measured refused new); $(shown refused new); $(said refused new)"
fi

# ---- the table ---------------------------------------------------------------------------------
{
    echo "| case | old ($1) | new ($2) |"
    echo "|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
} | tee "$W/results.md"
