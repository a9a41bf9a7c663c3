def test_add_then_view_round_trip(vault_env):
    added = vault_env.run("add", "Jane Doe", "-m", "hello", "--new")
    assert added.exit_code == 0, added.stderr
    shown = vault_env.run("view", "Jane Doe", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert '"text": "hello"' in shown.stdout
