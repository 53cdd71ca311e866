// A small S3-compatible server for weir's Bucket tests, built offline from Debian's Go packages.
// Objects are the files under -root/<bucket>/; ETags are their MD5s. Every request must carry an
// AWS Signature V4 that aws-sdk-go's own signer reproduces from the same request and keys, so the
// tests check weir's signing against AWS's code. Serves ListObjectsV2 (prefix, max-keys,
// continuation-token) and GetObject, path style, over http or https (-tls-cert/-tls-key).
// Each request is logged (-log, or stdout) as "<op> <bucket> <key>" so tests can count downloads;
// -page-size caps the keys per page so that any client's pagination is exercised.
//
// With -sign it is instead the differential oracle: it reads JSON requests, one per line, from
// stdin and prints the Authorization header aws-sdk-go computes for each.
package main

import (
	"bufio"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

var (
	root      = flag.String("root", "", "directory holding one folder per bucket")
	accessKey = flag.String("access-key", "", "the only accepted access key id")
	secretKey = flag.String("secret-key", "", "its secret key")
	region    = flag.String("region", "us-east-1", "the region requests must be signed for")
	listen    = flag.String("listen", "127.0.0.1:0", "address to listen on")
	tlsCert   = flag.String("tls-cert", "", "serve https with this certificate")
	tlsKey    = flag.String("tls-key", "", "and this key")
	signMode  = flag.Bool("sign", false, "differential oracle: sign JSON requests from stdin")
	logFile   = flag.String("log", "", "append one line per request here (default stdout)")
	pageCap   = flag.Int("page-size", 1000, "most keys per ListObjectsV2 page, whatever max-keys asks")
	logMu     sync.Mutex
	logTo     io.Writer = os.Stdout
)

func logf(format string, args ...interface{}) {
	logMu.Lock()
	defer logMu.Unlock()
	fmt.Fprintf(logTo, format, args...)
}

func main() {
	flag.Parse()
	if *signMode {
		signLines()
		return
	}
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		logTo = f
	}
	srv := &http.Server{Addr: *listen, Handler: http.HandlerFunc(handle)}
	var err error
	if *tlsCert != "" {
		err = srv.ListenAndServeTLS(*tlsCert, *tlsKey)
	} else {
		err = srv.ListenAndServe()
	}
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

type s3Error struct {
	XMLName xml.Name `xml:"Error"`
	Code    string
	Message string
}

func fail(w http.ResponseWriter, status int, code, message string) {
	logf("error %s %s\n", code, message)
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	xml.NewEncoder(w).Encode(s3Error{Code: code, Message: message})
}

// verify re-signs the request with aws-sdk-go and compares the Authorization headers.
func verify(r *http.Request) (int, string, string) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return 403, "AccessDenied", "anonymous requests are not allowed"
	}
	const prefix = "AWS4-HMAC-SHA256 Credential="
	if !strings.HasPrefix(auth, prefix) {
		return 400, "AuthorizationHeaderMalformed", "not an AWS4-HMAC-SHA256 authorization"
	}
	cred := strings.SplitN(strings.TrimPrefix(auth, prefix), ",", 2)[0]
	if strings.SplitN(cred, "/", 2)[0] != *accessKey {
		return 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."
	}
	signed := ""
	for _, part := range strings.Split(auth, ",") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "SignedHeaders=") {
			signed = strings.TrimPrefix(part, "SignedHeaders=")
		}
	}
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil {
		return 400, "AuthorizationHeaderMalformed", "bad or missing X-Amz-Date"
	}
	body, _ := io.ReadAll(r.Body)
	sum := sha256.Sum256(body)
	if h := r.Header.Get("X-Amz-Content-Sha256"); h != hex.EncodeToString(sum[:]) && h != "UNSIGNED-PAYLOAD" {
		return 400, "XAmzContentSHA256Mismatch", "the payload hash does not match the body"
	}
	u := *r.URL
	u.Scheme, u.Host = "http", r.Host
	again := &http.Request{Method: r.Method, URL: &u, Host: r.Host, Header: http.Header{}}
	for _, h := range strings.Split(signed, ";") {
		if h != "host" {
			again.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	signer := v4.NewSigner(credentials.NewStaticCredentials(*accessKey, *secretKey, r.Header.Get("X-Amz-Security-Token")),
		func(s *v4.Signer) { s.DisableURIPathEscaping = true })
	if _, err := signer.Sign(again, nil, "s3", *region, when); err != nil {
		return 500, "InternalError", err.Error()
	}
	if again.Header.Get("Authorization") != auth {
		return 403, "SignatureDoesNotMatch",
			"The request signature we calculated does not match the signature you provided. Check your key and signing method."
	}
	return 200, "", ""
}

func handle(w http.ResponseWriter, r *http.Request) {
	if status, code, msg := verify(r); status != 200 {
		fail(w, status, code, msg)
		return
	}
	parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 2)
	bucket := parts[0]
	dir := filepath.Join(*root, bucket)
	if st, err := os.Stat(dir); bucket == "" || err != nil || !st.IsDir() {
		fail(w, 404, "NoSuchBucket", "The specified bucket does not exist")
		return
	}
	if r.Method != http.MethodGet {
		fail(w, 405, "MethodNotAllowed", "only GET is served")
		return
	}
	if len(parts) == 1 || parts[1] == "" {
		list(w, r, bucket, dir)
		return
	}
	key := parts[1]
	logf("get %s %s\n", bucket, key)
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key)))
	if err != nil || strings.Contains(key, "..") {
		fail(w, 404, "NoSuchKey", "The specified key does not exist.")
		return
	}
	sum := md5.Sum(data)
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

type content struct {
	Key          string
	LastModified string
	ETag         string
	Size         int64
	StorageClass string
}

type listResult struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string
	Prefix                string
	KeyCount              int
	MaxKeys               int
	IsTruncated           bool
	ContinuationToken     string `xml:",omitempty"`
	NextContinuationToken string `xml:",omitempty"`
	Contents              []content
}

func list(w http.ResponseWriter, r *http.Request, bucket, dir string) {
	q := r.URL.Query()
	if q.Get("list-type") != "2" {
		fail(w, 400, "NotImplemented", "only ListObjectsV2 (list-type=2) is served")
		return
	}
	logf("list %s %s\n", bucket, q.Get("prefix"))
	maxKeys := 1000
	if m := q.Get("max-keys"); m != "" {
		maxKeys, _ = strconv.Atoi(m)
	}
	if maxKeys > *pageCap {
		maxKeys = *pageCap
	}
	after := ""
	if t := q.Get("continuation-token"); t != "" {
		b, err := base64.URLEncoding.DecodeString(t)
		if err != nil {
			fail(w, 400, "InvalidArgument", "The continuation token provided is incorrect")
			return
		}
		after = string(b)
	}
	var keys []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			keys = append(keys, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(keys)
	res := listResult{Name: bucket, Prefix: q.Get("prefix"), MaxKeys: maxKeys, ContinuationToken: q.Get("continuation-token")}
	for _, k := range keys {
		if !strings.HasPrefix(k, res.Prefix) || k <= after {
			continue
		}
		if len(res.Contents) == maxKeys {
			res.IsTruncated = true
			res.NextContinuationToken = base64.URLEncoding.EncodeToString([]byte(res.Contents[len(res.Contents)-1].Key))
			break
		}
		p := filepath.Join(dir, filepath.FromSlash(k))
		data, _ := os.ReadFile(p)
		info, _ := os.Stat(p)
		sum := md5.Sum(data)
		res.Contents = append(res.Contents, content{Key: k, LastModified: info.ModTime().UTC().Format(time.RFC3339),
			ETag: `"` + hex.EncodeToString(sum[:]) + `"`, Size: int64(len(data)), StorageClass: "STANDARD"})
	}
	res.KeyCount = len(res.Contents)
	w.Header().Set("Content-Type", "application/xml")
	io.WriteString(w, xml.Header)
	xml.NewEncoder(w).Encode(res)
}

type signInput struct {
	Method, Host, Path, Access, Secret, Token, Region, Service, Payload string
	Time                                                                int64
	Query, Headers                                                      [][2]string
}

// signLines: one JSON request per line in, one Authorization header per line out.
func signLines() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	for in.Scan() {
		var s signInput
		if err := json.Unmarshal(in.Bytes(), &s); err != nil {
			fmt.Println("error:", err)
			continue
		}
		u := &url.URL{Scheme: "http", Host: s.Host, Path: "/"}
		if p, err := url.PathUnescape(s.Path); err == nil {
			u.Path, u.RawPath = p, s.Path
		}
		q := url.Values{}
		for _, kv := range s.Query {
			q.Add(kv[0], kv[1])
		}
		u.RawQuery = q.Encode()
		req := &http.Request{Method: s.Method, URL: u, Host: s.Host, Header: http.Header{}}
		for _, kv := range s.Headers {
			req.Header.Add(kv[0], kv[1])
		}
		req.Header.Set("X-Amz-Content-Sha256", s.Payload)
		signer := v4.NewSigner(credentials.NewStaticCredentials(s.Access, s.Secret, s.Token),
			func(v *v4.Signer) { v.DisableURIPathEscaping = true })
		if _, err := signer.Sign(req, nil, s.Service, s.Region, time.Unix(s.Time, 0)); err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(req.Header.Get("Authorization"))
	}
}
