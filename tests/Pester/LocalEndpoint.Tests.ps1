# The local endpoint on its own: the protocol as the vendor's client and a plain HTTP client see it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:peers = Get-TestPeersPath -File 'seed_client.py'
    $script:seedClient = if ($peers) { Join-Path $peers 'seed_client.py' }
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ('ife-endpoint-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $script:files = @(New-TestCropSet -Path (Join-Path $root 'crops') -Count 6 -Identities 2 -NoFaceCount 1)
    $script:endpoints = [System.Collections.Generic.List[object]]::new()

    function script:New-Endpoint {
        $e = Start-TestEndpoint @args
        $script:endpoints.Add($e)
        $e
    }

    function script:Send-Image {
        <# One protocol request; returns status, headers and the parsed JSON body. #>
        param($Endpoint, [string] $Model, [string] $File, [string] $Url)
        $form = [System.Net.Http.MultipartFormDataContent]::new()
        $form.Add([System.Net.Http.StringContent]::new($Model), 'model_name')
        $image = [System.Net.Http.ByteArrayContent]::new([IO.File]::ReadAllBytes($File))
        $image.Headers.ContentType = 'application/octet-stream'
        $form.Add($image, 'image', 'x.png')
        $client = [System.Net.Http.HttpClient]::new()
        try {
            $response = $client.PostAsync($(if ($Url) { $Url } else { $Endpoint.Url }), $form).GetAwaiter().GetResult()
            $body = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
            [pscustomobject]@{
                Status     = [int]$response.StatusCode
                RetryAfter = $response.Headers.RetryAfter
                Json       = $(try { $body | ConvertFrom-Json } catch { $null })
                Body       = $body
            }
        }
        finally { $client.Dispose() }
    }
}

AfterAll {
    $script:endpoints | Stop-TestEndpoint
    if ($script:root -and (Test-Path $script:root)) { Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'The local endpoint' {
    BeforeAll { $script:ep = New-Endpoint }

    It 'prints a URL a script can use, on a free loopback port' {
        $ep.BaseUrl | Should -Match '^http://127\.0\.0\.1:\d+$'
        (Invoke-RestMethod "$($ep.BaseUrl)/_health").status | Should -Be 'ok'
    }

    It 'answers the protocol: the same bytes give the same unit vector of the model''s length' {
        $a = Send-Image $ep 'eagle-2' $files[1].FullName
        $b = Send-Image $ep 'eagle-2' $files[1].FullName
        $c = Send-Image $ep 'eagle' $files[1].FullName
        $a.Status | Should -Be 200
        $a.Json.model_name | Should -Be 'eagle-2'
        $a.Json.feature.Count | Should -Be 1024
        $c.Json.feature.Count | Should -Be 512
        $b.Json.feature | Should -Be $a.Json.feature
        [Math]::Sqrt(($a.Json.feature | ForEach-Object { $_ * $_ } | Measure-Object -Sum).Sum) | Should -BeGreaterThan 0.99999
    }

    It 'answers an empty feature for the no-face marker image' {
        $r = Send-Image $ep 'dingo' $files[0].FullName
        $r.Status | Should -Be 200
        $r.Body | Should -Match '"feature": \[\]'
        (Get-TestEndpointStats $ep).noFace | Should -BeGreaterThan 0
    }

    It 'refuses a model that is not on its list with a 4xx JSON error' {
        $r = Send-Image $ep 'ostrich' $files[1].FullName
        $r.Status | Should -Be 400
        $r.Json.detail | Should -Match "model 'ostrich' is not available"
    }

    It 'refuses what is not an image with 422' {
        $junk = Join-Path $root 'junk.png'
        Set-Content -LiteralPath $junk -Value 'this is not an image at all' -Encoding UTF8
        (Send-Image $ep 'dingo' $junk).Status | Should -Be 422
    }

    It 'counts requests per image hash' {
        Reset-TestEndpointStats $ep
        $null = Send-Image $ep 'dingo' $files[2].FullName
        $null = Send-Image $ep 'dingo' $files[2].FullName
        $sha = (Get-FileHash $files[2].FullName -Algorithm SHA256).Hash.ToLowerInvariant()
        $stats = Get-TestEndpointStats $ep
        $stats.requests | Should -Be 2
        $stats.images[$sha].models['dingo'].requests | Should -Be 2
        $stats.images[$sha].models['dingo'].successes | Should -Be 2
    }

    It 'answers 429 with Retry-After, in seconds or as a date, over its rate limit' {
        # One request per 20 s: the second comes well within that, however busy the machine.
        $seconds = New-Endpoint -RateLimit 0.05
        $date = New-Endpoint -RateLimit 0.05 -RetryAfter date
        foreach ($e in $seconds, $date) {
            (Send-Image $e 'dingo' $files[1].FullName).Status | Should -Be 200
            $limited = Send-Image $e 'dingo' $files[1].FullName
            $limited.Status | Should -Be 429
            $limited.Json.detail | Should -Be 'rate limit exceeded'
            (Get-TestEndpointStats $e).rateLimited | Should -Be 1
            if ($e -eq $seconds) { $limited.RetryAfter.Delta | Should -BeGreaterThan ([TimeSpan]::FromSeconds(10)) }
            else { $limited.RetryAfter.Date | Should -BeGreaterThan ([DateTimeOffset]::UtcNow.AddSeconds(10)) }
        }
    }

    It 'injects the same faults for the same seed, whatever the order' {
        $kinds = @()
        foreach ($seed in 11, 11, 12) {
            $e = New-Endpoint -FaultRate 0.5 -FaultKinds 500, 503 -FaultSeed $seed
            $statuses = foreach ($f in $files[1..5]) { (Send-Image $e 'dingo' $f.FullName).Status }
            $kinds += , ($statuses -join ',')
            Stop-TestEndpoint $e
        }
        $kinds[0] | Should -Be $kinds[1]
        $kinds[0] | Should -Match '50[03]'
        $kinds[0] | Should -Not -Be $kinds[2]
    }

    It 'holds computations to its concurrency cap' {
        $capped = New-Endpoint -MaxConcurrency 2 -ServiceTimeMs 150
        $store = Join-Path $root 'capped'
        $null = $files[1..5] | Get-FaceEmbedding -Model dingo -ServerUrl $capped.Url -OutputDirectory $store -ThrottleLimit 5
        (Get-TestEndpointStats $capped).maxInFlight | Should -Be 2
    }

    It 'refuses a URL without its token with 401' -Tag 'auth' {
        $locked = New-Endpoint -RequireToken
        (Send-Image $locked 'dingo' $files[1].FullName -Url "$($locked.BaseUrl)/v1/other/extract").Status | Should -Be 401
        (Send-Image $locked 'dingo' $files[1].FullName).Status | Should -Be 200
    }

    It 'serves the vendor''s seed_client.py unchanged' {
        if (-not (Test-PythonModule numpy, requests)) { Set-ItResult -Skipped -Because 'python3-numpy and python3-requests are not installed (apt-get install python3-numpy python3-requests)'; return }
        if (-not $seedClient) { Set-ItResult -Skipped -Because (Get-TestPeersSkipReason -File 'seed_client.py'); return }
        $python = Get-TestPython
        Push-Location (Split-Path $seedClient)
        try {
            $out = Join-Path $root 'seed.npy'
            $log = & $python seed_client.py --server-url $ep.Url --model-name dingo --image $files[1].FullName --output $out 2>&1
            $LASTEXITCODE | Should -Be 0
            "$log" | Should -Match 'saved feature: .*\(512,\) dingo'
            [InsightFaceEval.Embedding.NpyFile]::Read($out).Count | Should -Be 512

            $log = & $python seed_client.py --server-url $ep.Url --model-name dingo --image $files[0].FullName --output (Join-Path $root 'none.npy') 2>&1
            $LASTEXITCODE | Should -Not -Be 0
            "$log" | Should -Match 'server returned no features'
        }
        finally { Pop-Location }
    }
}
