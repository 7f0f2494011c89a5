from naql.cli import main

main()
