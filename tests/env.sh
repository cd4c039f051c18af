# Source this to run pytest by hand with the test command's settings.
export DEBUG=false SECRET_KEY=test-only-secret-key-not-for-any-real-installation \
  ALLOWED_HOSTS=testserver,localhost,127.0.0.1 SECURE_SSL_REDIRECT=false
