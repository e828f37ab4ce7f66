from mps.manage import main

main()
