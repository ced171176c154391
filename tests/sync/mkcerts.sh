#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# mkcerts.sh DIR - the test PKI, made fresh by every test run:
#   ca.pem             the control plane's CA (what sync_ca_file names)
#   server.pem/.key    127.0.0.1 (IP SAN), issued by ca, valid now
#   expired.pem/.key   127.0.0.1, issued by ca, expired in 2020
#   other-ca.pem       an unrelated CA (the "wrong CA" case)
#   client-ca.pem      the CA the server requires client certificates from
#   client.pem/.key    a client certificate issued by client-ca
# Keys are P-256, mode 0600.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
umask 077

cat >ca.cnf <<'CNF'
[ ca ]
default_ca = ca_default
[ ca_default ]
database = db/index.txt
new_certs_dir = db
serial = db/serial
default_md = sha256
policy = any_cn
unique_subject = no
copy_extensions = none
[ any_cn ]
commonName = supplied
[ server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
[ client ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF

newkey() {	# newkey NAME CN -> NAME.key NAME.csr
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
}

newca() {	# newca NAME CN
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$1.key" -out "$1.pem" -days 30 -subj "/CN=$2" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}

sign() {	# sign CA NAME EXTENSIONS [openssl ca date options...]
	local ca=$1 name=$2 ext=$3
	shift 3
	rm -rf db && mkdir db && : >db/index.txt && echo 01 >db/serial
	openssl ca -batch -config ca.cnf -cert "$ca.pem" -keyfile "$ca.key" \
		-in "$name.csr" -out "$name.pem" -extensions "$ext" -notext "$@" 2>/dev/null
}

newca ca "nexusbg test control-plane CA"
newca other-ca "an unrelated CA"
newca client-ca "nexusbg test client CA"
newkey server 127.0.0.1
newkey expired 127.0.0.1
newkey client "device-01.fab-test-01"
sign ca server server -days 10
sign ca expired server -startdate 20200101000000Z -enddate 20200201000000Z
sign client-ca client client -days 10
rm -rf db ./*.csr
chmod 0644 ./*.pem
chmod 0600 ./*.key
