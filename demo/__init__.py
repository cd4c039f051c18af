"""The plans a fresh installation is served with: Plymouth's seed plan (its
areas, measures and issued papers, loaded by ``load_seed_plan``) and the
illustrative Demo Borough Council (``create_demo_accounts``). It sits above
every other app, since the plans it builds reach all of them."""
