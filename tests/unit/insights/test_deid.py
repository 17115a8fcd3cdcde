"""De-identification, proven on planted personal data."""

from __future__ import annotations

import pytest

from rehearsal.insights.conversation import Conversation, HistoricalTurn, Speaker, ToolCallRecord
from rehearsal.insights.deid import PLACEHOLDER, deidentify_conversation, deidentify_texts


@pytest.mark.parametrize(
    ("text", "secret", "placeholder"),
    [
        ("write to jane.doe+bank@example.co.uk today", "jane.doe+bank@example.co.uk", "[EMAIL_1]"),
        ("call me on +1 (415) 555-0132 please", "555-0132", "[PHONE_1]"),
        ("my number is 415-555-0199", "415-555-0199", "[PHONE_1]"),
        ("card 4111 1111 1111 1111 was declined", "4111 1111 1111 1111", "[CARD_1]"),
        ("account number 12345678 is frozen", "12345678", "[ACCOUNT_1]"),
        ("IBAN GB29 NWBK 6016 1331 9268 19 please", "GB29 NWBK", "[ACCOUNT_1]"),
        ("I live at 42 Elm Street, Apt 4B now", "42 Elm Street", "[ADDRESS_1]"),
        ("my name is Priya and I need help", "Priya", "[NAME_1]"),
        ("this is Declan O'Brien calling", "Declan", "[NAME_1]"),
        ("Dr. Morgan told me to rest", "Morgan", "[NAME_1]"),
        ("Sarah said the transfer failed", "Sarah", "[NAME_1]"),
    ],
)
def test_planted_personal_data_is_replaced_by_a_typed_placeholder(
    text: str, secret: str, placeholder: str
) -> None:
    # Given a text with one planted piece of personal data
    # When it is de-identified
    (redacted,) = deidentify_texts([text])
    # Then the secret is gone and the typed placeholder stands in its place
    assert secret not in redacted
    assert placeholder in redacted


@pytest.mark.parametrize(
    "text",
    [
        "I paid $1500 on 2023-01-15 at 10:30 for 12 items",
        "Will you help me? May I ask about my card?",
        "I am Going to the branch tomorrow",
        "the top up of 20 pounds failed twice",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    # Given text with amounts, dates, times and words that double as names
    # When it is de-identified
    (redacted,) = deidentify_texts([text])
    # Then nothing is replaced
    assert redacted == text


def test_the_same_value_gets_the_same_placeholder_across_a_conversation() -> None:
    # Given a name and a card mentioned in several messages, the name learnt from a later cue
    texts = [
        "Sarah here, card 4111 1111 1111 1111 is blocked",
        "yes the card is 4111-1111-1111-1111",
        "my name is Sarah Connor",
    ]
    # When the conversation's texts are de-identified together
    redacted = deidentify_texts(texts)
    # Then each value keeps one placeholder and a second value gets the next number
    assert redacted[0] == "[NAME_1] here, card [CARD_1] is blocked"
    assert redacted[1] == "yes the card is [CARD_1]"
    assert redacted[2] == "my name is [NAME_1]"


def test_conversation_tool_arguments_and_metadata_are_de_identified() -> None:
    # Given a conversation whose tool call carries a name that the text mentions bare
    conversation = Conversation(
        id="c1",
        turns=[
            HistoricalTurn(speaker=Speaker.CUSTOMER, text="Hi, I'm Alexis; reach me at alexis@example.org"),
            HistoricalTurn(
                speaker=Speaker.HUMAN_AGENT,
                tool_calls=[ToolCallRecord(name="lookup", arguments={"PatientName": "Zelda Quince"})],
            ),
            HistoricalTurn(speaker=Speaker.CUSTOMER, text="Quince is my surname"),
        ],
        metadata={"note": "You (Alexis) want your results"},
    )
    # When it is de-identified
    clean = deidentify_conversation(conversation)
    # Then no planted value survives anywhere in the stored form, and placeholders are shared
    dumped = clean.model_dump_json()
    for secret in ("Alexis", "alexis@example.org", "Zelda", "Quince"):
        assert secret not in dumped
    patient = clean.turns[1].tool_calls[0].arguments["PatientName"]
    assert clean.turns[2].text == f"{patient} is my surname"
    caller = clean.turns[0].text.split("I'm ")[1].split(";")[0]
    assert PLACEHOLDER.fullmatch(caller) and caller != patient
    assert clean.metadata["note"] == f"You ({caller}) want your results"


def test_placeholders_are_recognisable() -> None:
    # Given de-identified text
    (redacted,) = deidentify_texts(["email bob.smith@example.com or call 020 7946 0958"])
    # When placeholders are searched for
    found = PLACEHOLDER.findall(redacted)
    # Then both are found with their types
    assert found == ["[EMAIL_1]", "[PHONE_1]"]


def test_a_bare_name_field_counts_as_a_person_only_with_a_first_name() -> None:
    # Given a hotel in a bare Name field and a person in a RenterName field
    conversation = Conversation(
        id="c2",
        turns=[
            HistoricalTurn(speaker=Speaker.CUSTOMER, text="Book the Hyatt Hotel for Zelda Quince"),
            HistoricalTurn(
                speaker=Speaker.HUMAN_AGENT,
                tool_calls=[
                    ToolCallRecord(
                        name="book", arguments={"Name": "Hyatt Hotel", "RenterName": "Zelda Quince"}
                    )
                ],
            ),
        ],
    )
    # When it is de-identified
    clean = deidentify_conversation(conversation)
    # Then the hotel stays (it is what the topic is about) and the person goes
    assert clean.turns[0].text == "Book the Hyatt Hotel for [NAME_1]"
    assert clean.turns[1].tool_calls[0].arguments == {"Name": "Hyatt Hotel", "RenterName": "[NAME_1]"}
