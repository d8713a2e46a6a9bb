"""`casebook audit`: proofread the print PDF's typesetting, list the findings, draw the proof."""

from __future__ import annotations

from pathlib import Path

from casebook.cli.options import book_options

NAME = "audit"
HELP = "audit the print PDF's typesetting: findings by kind and a visual proof (HTML)"


def add_arguments(p) -> None:
    book_options(p)
    p.add_argument("--out", type=Path, default=None, metavar="DIR",
                   help="the editions to audit (default: DIR/dist); built if not fresh; the "
                        "proof is written there as <slug>-proof.html")


def run(args) -> int:
    from casebook.build.pipeline import Options, build
    from casebook.check import typeset, typeset_proof
    from casebook.source import loader as source
    out = args.out or args.book / "dist"
    book = source.load(args.book, args.encoding).select(args.draft)
    build(Options(book_dir=args.book, out_dir=out, draft=args.draft, encoding=args.encoding))
    pdf = out / f"{book.meta.slug}.pdf"
    report = typeset.audit(pdf, book)
    for finding in report.findings:
        accepted = " [accepted]" if finding.kind in report.accepted else ""
        print(f"{finding}{accepted}")
    counts = report.counts()
    print(f"\n{len(report.findings)} finding(s) on {report.pages} pages "
          f"({report.body_lines} body lines):")
    for kind in typeset.KINDS:
        state = "accepted in book.yaml" if kind in report.accepted else ""
        count = "n/a" if kind in report.not_applicable else counts.get(kind, 0)
        print(f"  {kind:<17} {count:>5}  {state}".rstrip())
    proof = typeset_proof.write(pdf, report, out / f"{book.meta.slug}-proof.html", book)
    unaccepted = len(report.unaccepted)
    print(f"{unaccepted} not accepted; visual proof: {proof}")
    return 4 if unaccepted else 0
