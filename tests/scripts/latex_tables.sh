#!/usr/bin/env bash
# The .tex regression tables compile with a real pdflatex (issue 15): every
# table of the paper's models, plus one whose labels hold every LaTeX special
# character, inside a minimal article with booktabs. The PDF text (pdftotext)
# must show the numbers with a real minus sign (U+2212), the escaped labels
# verbatim, and each title once ("Table 5: ...", not "Table 1: Table 5: ...").
# The .tex uses booktabs rules (no \hline, no rule between a coefficient and
# its statistic). pdflatex comes from Debian texlive-latex-base and
# texlive-latex-recommended (make deps), pdftotext from poppler-utils.
set -euo pipefail
command -v pdflatex > /dev/null && command -v pdftotext > /dev/null ||
    { echo "no pdflatex/pdftotext (Debian texlive-latex-base texlive-latex-recommended poppler-utils; make deps)"; exit 77; }
kpsewhich booktabs.sty > /dev/null || { echo "no booktabs.sty (Debian texlive-latex-recommended; make deps)"; exit 77; }
d=$TMPDIR
fail() { echo "FAIL $*"; exit 1; }
cat > "$d/m.models" <<'M'
[tables]
digits = 3
[labels]
ITR = "ITR & <a|b> 50%/$x_1$/#{y}~^\z"
M
cat jobs/hu2023.models >> "$d/m.models"
source tests/lib.sh
paper_ini "$d/x.ini" 2010-2011 0 "$d/m.models" "$d/out"
run_ok "$d/x.ini" "$d/run.log" || exit 1
"$BIN" tables "$d/out/res.h5" --out "$d/plain" --quiet || fail "silkflow tables"
n=0
for dir in out/tables plain; do
    for tex in "$d/$dir"/table*.tex; do
        name=$(basename "$tex" .tex)
        job="$dir-$name"; job=${job//\//-}
        ! grep -q '\\hline' "$tex" || fail "$name.tex: \\hline (booktabs rules expected)"
        grep -q '\\toprule' "$tex" && grep -q '\\bottomrule' "$tex" || fail "$name.tex: no \\toprule/\\bottomrule"
        mid=$(grep -c '\\midrule' "$tex" || true)
        (( mid <= 4 )) || fail "$name.tex: $mid \\midrule (a rule after every coefficient?)"
        # a wide page: the paper's tables have up to 11 columns, and pdftotext drops what falls off it
        printf '\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{booktabs}\n\\pdfpagewidth=70cm \\paperwidth=70cm \\textwidth=66cm \\hoffset=-1in \\oddsidemargin=2cm\n\\begin{document}\n\\input{%s}\n\\end{document}\n' \
            "$tex" > "$d/$job.tex"
        (cd "$d" && pdflatex -interaction=nonstopmode -halt-on-error "$job.tex" > "$job.out" 2>&1) ||
            fail "$name.tex ($dir) does not compile: $(grep -m1 -A2 '^!' "$d/$job.out")"
        pdftotext -layout "$d/$job.pdf" "$d/$job.txt" || fail "pdftotext $job.pdf"
        title=$(head -1 "$d/$dir/$name.txt")
        t1=$(head -c 60 <<< "$title" | sed 's/ (.*//')
        c=$(grep -c -F "$t1" "$d/$job.txt" || true)
        (( c == 1 )) || fail "$name: title '$t1' appears $c times in the PDF"
        ! grep -q 'Table [0-9.]*: Table' "$d/$job.txt" || fail "$name: doubled table number"
        # the first negative coefficient of the table, as the PDF shows it
        neg=$(grep -m1 -oE '(^|,)-[0-9]+\.[0-9]+' "$d/$dir/$name.csv" | tr -d ',' || true)
        if [[ -n $neg ]]; then
            grep -q -- "−${neg#-}" "$d/$job.txt" || fail "$name: $neg not shown with a minus sign (U+2212) in the PDF"
            ! grep -qE -- "(^| |\[)-${neg#-}" "$d/$job.txt" || fail "$name: $neg printed with a hyphen"
        fi
        n=$((n + 1))
    done
done
(( n == 22 )) || fail "compiled $n tables, expected 22 (11 per directory)"
# the labels with every special character come out verbatim (the estimate stage's tables)
grep -q -F 'ITR & <a|b> 50%/$x_1$/#{y}~^\z' "$d/out-tables-table2.txt" ||
    fail "special characters not escaped verbatim: $(grep -m1 'ITR' "$d/out-tables-table2.txt")"
grep -q -F 'p<0.10' "$d/out-tables-table2.txt" || fail "the star note lost its '<'"
echo "latex_tables: ok ($n tables compiled)"
