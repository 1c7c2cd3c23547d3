host montana.edu
