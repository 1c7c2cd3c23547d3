host -t CNAME img.huffingtonpost.com
