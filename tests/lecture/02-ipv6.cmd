host -t AAAA montana.edu
