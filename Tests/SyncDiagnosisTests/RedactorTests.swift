import Testing
import SyncDiagnosis

/// Secrets people paste by accident are masked, and nothing else is.
struct RedactorTests {
    @Test(arguments: [
        ("Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.sig-Nature_123", "eyJ0eXAi"),
        ("token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijk rejected", "eyJzdWIi"),
        ("Server=tcp:db.contoso.net;User ID=sync;Password=Hunter22!;Encrypt=True", "Hunter22!"),
        ("GET https://svc:S3cr3tPass@api.contoso.com/v1/items failed", "S3cr3tPass"),
        ("https://acct.blob.core.windows.net/c/x.csv?sv=2022-11-02&sig=AbCdEf%2BGhIjK%3D&se=2025", "AbCdEf%2BGhIjK%3D"),
        (#"{"client_secret": "Qx8Q~abc.DEF_ghi", "grant_type": "refresh_token", "refresh_token": "0.AAAA-bbbb.ccc"}"#, "Qx8Q~abc.DEF_ghi"),
        (#"{"client_secret": "Qx8Q~abc.DEF_ghi", "refresh_token": "0.AAAA-bbbb.ccc"}"#, "0.AAAA-bbbb.ccc"),
        ("x-api-key: AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
        ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=bXlrZXk9PQ==;EndpointSuffix=core.windows.net", "bXlrZXk9PQ=="),
        ("Authorization: Basic c3luYzpIdW50ZXIyMg==", "c3luYzpIdW50ZXIyMg=="),
    ])
    func secretsAreMasked(text: String, secret: String) {
        let redacted = Redactor.standard.redact(text)
        #expect(!redacted.contains(secret), "\(redacted)")
        #expect(redacted.contains("***"))
    }

    @Test func ordinaryErrorTextIsUnchanged() {
        let text = "Principal user (Id=e5d1b0a4-6b1e-4c36-9d5b-0a1c2f3e4d5b, type=8) is missing prvReadAccount privilege; password change required"
        #expect(Redactor.standard.redact(text) == text)
    }
}
