def test_probe(tree):
    assert tree["root"].code == "TLD"
