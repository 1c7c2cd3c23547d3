ping -c 1 www.cs.montana.edu
ipconfig/displaydns
