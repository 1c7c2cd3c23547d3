host huffpost.com
host huffpost.com
