host -t MX montana.edu
