from omicskb.etl.cli import main

main()
