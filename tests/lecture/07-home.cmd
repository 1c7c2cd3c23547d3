host google.com
