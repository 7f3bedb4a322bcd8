// Where a client keeps a cluster's CA bundle, as the API and the credentials page accept it: an
// absolute POSIX or Windows path on one line (it ends up quoted inside connection strings).
// eslint-disable-next-line no-control-regex
export const CA_FILE = /^(\/|[A-Za-z]:\\)[^\u0000-\u001f\u007f]{0,500}$/;
