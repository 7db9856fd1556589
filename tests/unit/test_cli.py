"""The command line's own words: argparse's English headings and errors made bilingual."""

import pytest

from evalkit import cli


def _help(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", [[], *([name] for name in cli.COMMANDS)])
def test_every_help_is_headed_in_chinese_and_english(command, capsys):
    text = _help(command, capsys)
    assert text.startswith("用法 / usage: evalkit")
    assert "显示本帮助并退出 / show this help message and exit" in text
    assert "选项 / options:" in text
    for english_only in ("\nusage:", "\noptions:", "\npositional arguments:"):
        assert english_only not in "\n" + text


def test_a_missing_argument_is_an_error_in_both_languages(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["report"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("用法 / usage: evalkit report")
    assert "evalkit report: 错误 error: the following arguments are required: --year" in err
