host google.com 8.8.8.8
