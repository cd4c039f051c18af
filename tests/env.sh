# Source this to run pytest by hand with the test command's settings:
# production settings (DEBUG off) on plain http for the test servers, and
# unhashed static file names so that live_server's static handler finds them.
export DEBUG=false SECRET_KEY=test-only-secret-key-not-for-any-real-installation \
  ALLOWED_HOSTS=testserver,localhost,127.0.0.1 SECURE_SSL_REDIRECT=false STATIC_MANIFEST=false
