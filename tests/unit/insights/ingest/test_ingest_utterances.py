"""Plain utterance CSVs for topics: ids from a column or the row number, bad rows quarantined."""

from __future__ import annotations

from pathlib import Path

from rehearsal.insights.ingest import read_utterances


def test_bad_rows_are_quarantined_with_their_line(tmp_path: Path) -> None:
    # Given utterances with an empty text, a duplicate id and personal data
    path = tmp_path / "u.csv"
    path.write_text(
        "id,text\na,my card is lost\nb,\na,again\nc,email me at jo@example.com\n", encoding="utf-8"
    )
    # When read
    items, quarantined = read_utterances(path)
    # Then good rows are kept de-identified and each bad row is named by line and reason
    assert [(i.id, i.text) for i in items] == [("a", "my card is lost"), ("c", "email me at [EMAIL_1]")]
    assert [(q.line, q.reason) for q in quarantined] == [(3, "text: empty"), (4, "id: duplicate id 'a'")]


def test_without_an_id_column_the_row_number_is_the_id(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text("text,intent\nfirst,x\nsecond,y\n", encoding="utf-8")
    items, _ = read_utterances(path)
    assert [i.id for i in items] == ["0", "1"]
