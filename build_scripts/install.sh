#!/usr/bin/env bash
# Add Faultline, unpacked from its .tar.gz, to this user's desktop: a menu entry, the .faultline
# file type (so a double-click opens projects in it) and its icon, all under ~/.local/share and
# pointing at the folder this script is in. No root, no network. It also lists the system
# libraries Faultline needs that this machine lacks, with the command that installs them.
#
#   ./Faultline/install.sh               # add the menu entry, file type and icon
#   ./Faultline/install.sh --uninstall   # remove them again
#
# Moved the folder? Run it again from the new place. Exit status: 0 done; 1 done, but system
# libraries are missing (Faultline cannot start until they are installed); 2 nothing done.
set -euo pipefail

APP=Faultline
DESKTOP_ID=faultline.desktop
MIME_TYPE=application/x-faultline
MIME_ICON=${MIME_TYPE/\//-}

# soname package, one a line, from the machine that built this bundle (build_linux.sh fills it in).
LIBRARY_PACKAGES='
@LIBRARY_PACKAGES@
'

usage() {
    sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

# package_for SONAME: the Debian package that provides a library. The build machine's table first;
# otherwise Debian's naming rule for library packages: libfoo.so.1 -> libfoo1, libfoo-2.so.1 -> libfoo-2-1.
package_for() {
    local soname=$1 lib package stem version
    while read -r lib package; do
        if [ "$lib" = "$soname" ]; then
            printf '%s\n' "$package"
            return
        fi
    done <<<"$LIBRARY_PACKAGES"
    stem=${soname%%.so.*}
    version=${soname#*.so.}
    if [ "$stem" = "$soname" ] || [ "$version" = "$soname" ]; then
        printf '%s\n' "$(tr '[:upper:]' '[:lower:]' <<<"${soname%.so}")"   # no version: best guess
        return
    fi
    stem=$(tr '[:upper:]_' '[:lower:]-' <<<"$stem")
    case $stem in
        *[0-9]) printf '%s-%s\n' "$stem" "${version%%.*}" ;;
        *) printf '%s%s\n' "$stem" "${version%%.*}" ;;
    esac
}

# missing_libraries BUNDLE: the libraries its binaries link that neither it nor this system has.
missing_libraries() {
    local bundle=$1
    if ! command -v ldd >/dev/null; then
        echo "note: no ldd here, so the system libraries Faultline needs were not checked" >&2
        return
    fi
    # What the bundle has first, then what ldd finds nowhere; one awk keeps the second less the first
    # (no process substitution: a chroot or container may lack /dev/fd).
    {
        find "$bundle" \( -type f -o -type l \) -name '*.so*' -printf 'have %f\n'
        { find "$bundle" -type f \( -name '*.so' -o -name '*.so.*' -o -path "$bundle/$APP" \) -print0 \
            | xargs -0 -r -n 64 ldd 2>/dev/null || true; } \
            | awk '$2 == "=>" && $3 == "not" && $4 == "found" { print "need", $1 }'
    } | awk '$1 == "have" { have[$2] = 1; next } !($2 in have) { print $2 }' | sort -u
}

# desktop_exec PATH: PATH as a quoted argument of a desktop entry's Exec key.
desktop_exec() {
    local path=$1
    case $path in
        *[\"\`\$\\]* | *$'\n'*)
            echo "install.sh: the folder's path holds a character a menu entry cannot quote (\" \` \$ \\ or a newline):" \
                 "$path; move the folder and run it again" >&2
            return 2 ;;
    esac
    printf '"%s"' "${path//%/%%}"
}

refresh() {
    local data=$1
    if command -v update-mime-database >/dev/null; then update-mime-database "$data/mime" >/dev/null 2>&1 || true; fi
    if command -v update-desktop-database >/dev/null; then update-desktop-database -q "$data/applications" || true; fi
    # Icon themes notice new files by the folder's time.
    touch "$data/icons/hicolor" 2>/dev/null || true
}

main() {
    local action=install
    case ${1:-} in
        "") ;;
        --uninstall) action=uninstall ;;
        -h | --help) usage; return 0 ;;
        *) echo "install.sh: unknown option '$1' (use --uninstall, or nothing to install)" >&2; return 2 ;;
    esac
    [ $# -le 1 ] || { echo "install.sh: one option at most (got: $*)" >&2; return 2; }
    [ -n "${HOME:-}" ] || { echo "install.sh: HOME is not set, so there is no user folder to install into" >&2; return 2; }

    local here data
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
    data=${XDG_DATA_HOME:-$HOME/.local/share}
    local entry=$data/applications/$DESKTOP_ID
    local mime=$data/mime/packages/faultline.xml
    local icons=(
        "$data/icons/hicolor/scalable/apps/faultline.svg"
        "$data/icons/hicolor/scalable/mimetypes/$MIME_ICON.svg"
    )

    if [ "$action" = uninstall ]; then
        rm -f "$entry" "$mime" "${icons[@]}"
        mkdir -p "$data/mime/packages" "$data/applications"
        refresh "$data"
        echo "Removed Faultline's menu entry, file type and icon from $data."
        echo "The program itself is still in $here: delete that folder to remove it."
        return 0
    fi

    local packaging=$here/_internal/resources/packaging svg=$here/_internal/resources/icons/faultline.svg
    for f in "$here/$APP" "$packaging/$DESKTOP_ID" "$packaging/faultline.xml" "$svg"; do
        [ -e "$f" ] || { echo "install.sh: $f is missing: run the install.sh inside the unpacked $APP folder" >&2; return 2; }
    done
    local command line
    command=$(desktop_exec "$here/$APP") || return 2

    mkdir -p "$data/applications" "$data/mime/packages" "${icons[0]%/*}" "${icons[1]%/*}"
    while IFS= read -r line; do
        case $line in
            Exec=*) printf 'Exec=%s %%f\n' "$command" ;;
            TryExec=*) printf 'TryExec=%s\n' "$here/$APP" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done <"$packaging/$DESKTOP_ID" >"$entry.tmp"
    mv "$entry.tmp" "$entry"
    cp "$packaging/faultline.xml" "$mime"
    for icon in "${icons[@]}"; do cp "$svg" "$icon"; done
    refresh "$data"
    echo "Faultline is in your applications menu, opens .faultline files and shows its icon:"
    echo "  menu entry  $entry"
    echo "  file type   $mime ($MIME_TYPE)"
    echo "  icons       ${icons[0]%/apps/*}/{apps,mimetypes}"
    echo "  program     $here/$APP"
    echo "Remove them with: $here/install.sh --uninstall"

    local missing
    missing=$(missing_libraries "$here")
    if [ -n "$missing" ]; then
        local packages
        packages=$(while read -r lib; do package_for "$lib"; done <<<"$missing" | sort -u | tr '\n' ' ')
        echo
        echo "Faultline cannot start yet: this system lacks libraries it needs: $(tr '\n' ' ' <<<"$missing")"
        if command -v apt-get >/dev/null; then
            echo "Install them with:"
            echo "  sudo apt-get install ${packages% }"
        else
            echo "Install the packages that provide them (on Debian and Ubuntu: ${packages% })."
        fi
        return 1
    fi
    echo "Every system library Faultline needs is installed."
}

# Sourced (by the tests), it only defines the functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
