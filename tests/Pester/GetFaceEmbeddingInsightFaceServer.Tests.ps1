# Get-FaceEmbedding -Api InsightFaceServer against the real local endpoint's /v1/embeddings route (issue 14): the same
# objects, ErrorIds, retries, store, resume and privacy as the hosted endpoint, plus the API key.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:root = Join-Path ([IO.Path]::GetTempPath()) ('ife-ifs-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $script:root
    # 24 crops in 8 identity folders; the first carries the endpoint's no-face marker.
    $script:files = @(New-TestCropSet -Path (Join-Path $script:root 'crops') -Count 24 -Identities 8 -NoFaceCount 1)
    $script:noFaceFile = $script:files[0].FullName
    $script:key = 'ifs-' + [guid]::NewGuid().ToString('N')
    $script:endpoints = [System.Collections.Generic.List[object]]::new()

    function script:New-Endpoint {
        $e = Start-TestEndpoint @args
        $script:endpoints.Add($e)
        $e
    }

    function script:New-StorePath { Join-Path $script:root ('store-' + [guid]::NewGuid().ToString('N').Substring(0, 6)) }

    function script:Get-StoreHashes {
        <# Relative .npy path -> SHA-256 of its bytes, for one model folder. #>
        param([string] $ModelFolder)
        $map = @{}
        foreach ($f in [IO.Directory]::EnumerateFiles($ModelFolder, '*.npy', [IO.SearchOption]::AllDirectories)) {
            $map[$f.Substring($ModelFolder.TrimEnd('/', '\').Length + 1)] = (Get-FileHash -LiteralPath $f -Algorithm SHA256).Hash
        }
        $map
    }

    # The key arrives as a SecureString, as SecretManagement's Get-Secret returns it.
    $script:serverScript = {
        param($Files, $Url, $Store, [string] $Key, [string] $Model = 'buffalo', [hashtable] $Extra = @{})
        $VerbosePreference = 'Continue'
        if ($Key) { $Extra['ApiKey'] = ConvertTo-SecureString $Key -AsPlainText -Force }
        $Files | Get-FaceEmbedding -Api InsightFaceServer -ServerUrl $Url -Model $Model -OutputDirectory $Store @Extra
    }.ToString()

    $script:hostedScript = {
        param($Files, $Url, $Store, [string] $Model = 'buffalo')
        $Files | Get-FaceEmbedding -Model $Model -ServerUrl $Url -OutputDirectory $Store
    }.ToString()
}

AfterAll {
    $script:endpoints | Stop-TestEndpoint
    if ($script:root -and (Test-Path $script:root)) { Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue }
}

Describe 'Get-FaceEmbedding -Api InsightFaceServer' {
    Context 'a healthy server with an API key' {
        BeforeAll {
            $script:ep = New-Endpoint -ApiKey $key -ServiceTimeMs 2
            $script:store = New-StorePath
            $script:run = Invoke-TestIsolated $serverScript @{ Files = $files; Url = $ep.ServerUrl; Store = $store; Key = $key }
            $script:stats = Get-TestEndpointStats $ep
        }

        It 'writes one FaceEmbedding per image, with the server''s model name, as the hosted endpoint does' {
            $run.Terminating | Should -BeNullOrEmpty
            $run.Embeddings.Count | Should -Be 24
            foreach ($e in $run.Embeddings | Where-Object Path -NE $noFaceFile) {
                $e.Status | Should -Be 'Success'
                $e.Model | Should -Be 'buffalo'
                $e.Identity | Should -Be (Split-Path (Split-Path $e.Path) -Leaf)
                $e.Dimension | Should -Be 512
                [Math]::Sqrt(($e.Vector | ForEach-Object { [double]$_ * $_ } | Measure-Object -Sum).Sum) | Should -BeGreaterThan 0.999
                $e.Sha256 | Should -Be (Get-FileHash -LiteralPath $e.Path -Algorithm SHA256).Hash.ToLowerInvariant()
            }
            $stats.unauthorized | Should -Be 0
            $stats.requests | Should -Be 24
        }

        It 'stores the same .npy bytes as the hosted route gives for the same model and images' {
            $hostedStore = New-StorePath
            $null = Invoke-TestIsolated $hostedScript @{ Files = $files; Url = $ep.Url; Store = $hostedStore }
            $server = Get-StoreHashes (Join-Path $store 'buffalo')
            $hosted = Get-StoreHashes (Join-Path $hostedStore 'buffalo')
            $server.Count | Should -Be 23
            @($hosted.Keys | Where-Object { $server[$_] -ne $hosted[$_] }) | Should -BeNullOrEmpty
            $line = Get-Content (Join-Path $store 'buffalo/index.jsonl') | ConvertFrom-Json | Select-Object -First 1
            $line.endpoint | Should -Match '^[0-9a-f]{16}$'
        }

        It 'reports no face (422 face_not_found) under the hosted endpoint''s ErrorId, keeps the object, and the rest goes on' {
            $noFace = @($run.Error | Where-Object { $_.FullyQualifiedErrorId -like 'GetFaceEmbeddingNoFace,*' })
            $noFace.Count | Should -Be 1
            $noFace[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $noFace[0].TargetObject | Should -Be $noFaceFile
            ($run.Embeddings | Where-Object Path -EQ $noFaceFile).Status | Should -Be 'NoFace'
            @($run.Error | Where-Object { $_.FullyQualifiedErrorId -notlike 'GetFaceEmbeddingNoFace,*' }) | Should -BeNullOrEmpty
            (Get-Content (Join-Path $store 'buffalo/index.jsonl') | ConvertFrom-Json | Where-Object status -EQ 'NoFace').relativePath |
                Should -Be ($run.Embeddings | Where-Object Path -EQ $noFaceFile).RelativePath
        }

        It 'sends nothing again on a rerun, not even the failure to acquire' {
            $before = (Get-TestEndpointStats $ep).requests
            $again = Invoke-TestIsolated $serverScript @{ Files = $files; Url = $ep.ServerUrl; Store = $store; Key = $key }
            (Get-TestEndpointStats $ep).requests | Should -Be $before
            @($again.Embeddings | Where-Object FromStore).Count | Should -Be 24
        }

        It 'takes the key from $env:INSIGHTFACE_SERVER_API_KEY when -ApiKey is not given' {
            $env:INSIGHTFACE_SERVER_API_KEY = $key
            try { $r = Invoke-TestIsolated $serverScript @{ Files = $files[1..3]; Url = $ep.ServerUrl; Store = (New-StorePath) } }
            finally { Remove-Item env:INSIGHTFACE_SERVER_API_KEY }
            $r.Error | Should -BeNullOrEmpty
            $r.Embeddings.Count | Should -Be 3
            $r.Verbose.Message | Should -Contain 'InsightFace Server: the API key from $env:INSIGHTFACE_SERVER_API_KEY is sent as a Bearer token.'
        }
    }

    Context 'refusals' {
        It 'stops the run after one request with a terminating Unauthorized error when the key is wrong' {
            $ep = New-Endpoint -ApiKey $key
            $r = Invoke-TestIsolated $serverScript @{ Files = $files[1..20]; Url = $ep.ServerUrl; Store = (New-StorePath); Key = 'wrong-key'; Extra = @{ ThrottleLimit = 8 } }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingUnauthorized*'
            $r.Terminating.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $r.Terminating.Exception.Message | Should -Match 'The API key was sent and refused'
            $r.Terminating.ErrorDetails.RecommendedAction | Should -Match '-ApiKey'
            $r.Embeddings | Should -BeNullOrEmpty
            $stats = Get-TestEndpointStats $ep
            $stats.requests | Should -Be 1
            $stats.unauthorized | Should -Be 1
        }

        It 'says that no key was sent when the server requires one' {
            $ep = New-Endpoint -ApiKey $key
            $r = Invoke-TestIsolated $serverScript @{ Files = $files[1..5]; Url = $ep.ServerUrl; Store = (New-StorePath) }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingUnauthorized*'
            $r.Terminating.Exception.Message | Should -Match 'No API key was sent'
        }

        It 'sends -CollectionId, and stops after one request when the server does not know it' {
            $ep = New-Endpoint -Collections 'employees'
            $ok = Invoke-TestIsolated $serverScript @{ Files = $files[1..3]; Url = $ep.ServerUrl; Store = (New-StorePath); Extra = @{ CollectionId = 'employees' } }
            $ok.Error | Should -BeNullOrEmpty
            $ok.Embeddings.Count | Should -Be 3
            $before = (Get-TestEndpointStats $ep).requests
            $r = Invoke-TestIsolated $serverScript @{ Files = $files[4..12]; Url = $ep.ServerUrl; Store = (New-StorePath); Extra = @{ CollectionId = 'visitors'; ThrottleLimit = 4 } }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingModelRejected*'
            $r.Terminating.Exception.Message | Should -Match "Collection 'visitors' was not found"
            $r.Terminating.ErrorDetails.RecommendedAction | Should -Match '-CollectionId'
            (Get-TestEndpointStats $ep).requests | Should -Be ($before + 1)
        }

        It 'refuses an image over the server''s size limit (413) for that image only, and the rest goes on' {
            $big = @(New-TestCropSet -Path (Join-Path $root 'big') -Count 1 -Size 900 -FirstIndex 900)
            $limit = (Get-Item $big[0].FullName).Length - 100
            foreach ($small in $files[1..3]) { $small.Length | Should -BeLessThan ($limit - 1000) -Because 'only the big image may be over the limit' }
            $ep = New-Endpoint -MaxRequestBytes $limit
            $r = Invoke-TestIsolated $serverScript @{ Files = @($big) + @($files[1..3]); Url = $ep.ServerUrl; Store = (New-StorePath) }
            $r.Terminating | Should -BeNullOrEmpty
            $r.Error.Count | Should -Be 1
            $r.Error[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingImageRejected,*'
            $r.Error[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $r.Error[0].TargetObject | Should -Be $big[0].FullName
            $r.Error[0].Exception.Message | Should -Match 'request_too_large'
            @($r.Embeddings | Where-Object Status -EQ 'Success').Count | Should -Be 3
        }

        It 'refuses -ApiKey with the hosted endpoint, and more than one -Model' {
            $r = Invoke-TestIsolated { param($Files) $Files | Get-FaceEmbedding -Model dingo -ServerUrl 'http://127.0.0.1:9/x' -ApiKey (ConvertTo-SecureString 'k' -AsPlainText -Force) }.ToString() @{ Files = $files[1] }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingParameterNotForApi*'
            $r.Terminating.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $r = Invoke-TestIsolated { param($Files) $Files | Get-FaceEmbedding -Api InsightFaceServer -Model dingo, eagle -ServerUrl 'http://127.0.0.1:9/' }.ToString() @{ Files = $files[1] }
            $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingOneModelPerServer*'
        }
    }

    Context 'faults and rate limits' {
        It 'ends every image with the fault-free embedding through injected faults (500, 503 request_timeout, drops, slow and broken replies)' {
            $many = @(New-TestCropSet -Path (Join-Path $root 'many') -Count 200 -Identities 20 -Size 40 -FirstIndex 10000)
            $faulty = New-Endpoint -ApiKey $key -FaultRate 0.15 -FaultKinds 500, 503, drop, slow, malformed -FaultSeed 3 -SlowMs 4000
            $clean = New-Endpoint
            $faultyStore = New-StorePath
            $cleanStore = New-StorePath
            $retries = 6
            $r = Invoke-TestIsolated $serverScript @{ Files = $many; Url = $faulty.ServerUrl; Store = $faultyStore; Key = $key; Extra = @{ ThrottleLimit = 16; TimeoutSec = 2; MaximumRetryCount = $retries } }
            $null = Invoke-TestIsolated $serverScript @{ Files = $many; Url = $clean.ServerUrl; Store = $cleanStore }

            $r.Error | Should -BeNullOrEmpty
            @($r.Embeddings | Where-Object Status -EQ 'Success').Count | Should -Be 200
            $faultyHashes = Get-StoreHashes (Join-Path $faultyStore 'buffalo')
            $cleanHashes = Get-StoreHashes (Join-Path $cleanStore 'buffalo')
            $faultyHashes.Count | Should -Be 200
            @($cleanHashes.Keys | Where-Object { $faultyHashes[$_] -ne $cleanHashes[$_] }) | Should -BeNullOrEmpty

            $stats = Get-TestEndpointStats $faulty
            $injected = ($stats.faults.Values | Measure-Object -Sum).Sum
            $injected | Should -BeGreaterThan 10 -Because 'the faults must really happen'
            $stats.faults['503'] | Should -BeGreaterThan 0
            @($stats.images.Values | Where-Object { $_.models['buffalo'].requests -gt 1 + $retries }) | Should -BeNullOrEmpty
            $retried = @($r.Verbose | Where-Object Message -Match '^Retrying ')
            $stats.requests | Should -Be (200 + $retried.Count) -Because 'every request after an image''s first is a retry the user is told of'
            @($retried | Where-Object Message -Match 'request_timeout').Count | Should -Be $stats.faults['503'] -Because '503 request_timeout is retried as a timeout'
        }

        It 'gives up on an image after -MaximumRetryCount when the server keeps timing out (503 request_timeout), and goes on' {
            $down = New-Endpoint -FaultRate 1 -FaultKinds 503
            $r = Invoke-TestIsolated $serverScript @{ Files = $files[1..3]; Url = $down.ServerUrl; Store = (New-StorePath); Extra = @{ MaximumRetryCount = 1 } }
            $r.Terminating | Should -BeNullOrEmpty
            $r.Error.Count | Should -Be 3
            $r.Error | ForEach-Object {
                $_.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingTimeout,*'
                $_.CategoryInfo.Category | Should -Be 'OperationTimeout'
                $_.Exception.Message | Should -Match 'after 2 attempt'
            }
            (Get-TestEndpointStats $down).requests | Should -Be 6
        }

        It 'waits out 429 replies as Retry-After says and finishes every image' {
            $ep = New-Endpoint -ApiKey $key -RateLimit 8 -RetryAfter date
            $r = Invoke-TestIsolated $serverScript @{ Files = $files[1..10]; Url = $ep.ServerUrl; Store = (New-StorePath); Key = $key; Extra = @{ ThrottleLimit = 4 } }
            $r.Error | Should -BeNullOrEmpty
            $r.Embeddings.Count | Should -Be 10
            $stats = Get-TestEndpointStats $ep
            $stats.rateLimited | Should -BeGreaterThan 0
            @($r.Verbose | Where-Object Message -Match 'answered 429').Count | Should -Be $stats.rateLimited
        }
    }

    Context 'interruption' {
        It 'loses nothing stored when stopped, and the rerun uploads only what was not stored' {
            $ep = New-Endpoint -ApiKey $key -ServiceTimeMs 100
            $store = New-StorePath
            $set = $files[1..23]
            $iss = [initialsessionstate]::CreateDefault2()
            $iss.ImportPSModule($manifest)
            $ps = [powershell]::Create($iss)
            $null = $ps.AddScript($serverScript).AddParameter('Files', $set).AddParameter('Url', $ep.ServerUrl).AddParameter('Store', $store).AddParameter('Key', $key).AddParameter('Extra', @{ ThrottleLimit = 2 })
            $async = $ps.BeginInvoke()
            $index = Join-Path $store 'buffalo/index.jsonl'
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ((Test-Path $index) -and @(Get-Content $index).Count -ge 6) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $ps.Stop()
            $ps.Dispose()

            Get-ChildItem $store -Recurse -Filter *.tmp | Should -BeNullOrEmpty
            $stored = @(Get-Content $index | ConvertFrom-Json)
            $stored.Count | Should -BeLessThan 23 -Because 'the run was stopped halfway'
            foreach ($line in $stored) { Join-Path $store "buffalo/$($line.embedding)" | Should -Exist }

            $before = Get-TestEndpointStats $ep
            $rerun = Invoke-TestIsolated $serverScript @{ Files = $set; Url = $ep.ServerUrl; Store = $store; Key = $key }
            $after = Get-TestEndpointStats $ep
            $rerun.Embeddings.Count | Should -Be 23
            @($rerun.Embeddings | Where-Object FromStore).Count | Should -Be $stored.Count
            ($after.requests - $before.requests) | Should -Be (23 - $stored.Count)
            foreach ($line in $stored) { $after.images[$line.sha256].requests | Should -Be 1 }
        }
    }

    Context 'the URL and the API key stay private' {
        It 'appear in no output, error, warning, verbose, debug, information or progress record, and in no file' {
            $ep = New-Endpoint -ApiKey $key -ServiceTimeMs 20 -FaultRate 0.3 -FaultKinds 500, 503, drop, malformed, slow -SlowMs 2500 -RateLimit 10 -RateBurst 2
            $store = New-StorePath
            $set = @($files[0..9]) + @(New-TestCropSet -Path (Join-Path $root 'private') -Count 4 -JpegCount 2 -FirstIndex 700)
            $script = {
                param($Files, $Url, $Store, $Key)
                $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'
                $secure = ConvertTo-SecureString $Key -AsPlainText -Force
                $Files | Get-FaceEmbedding -Api InsightFaceServer -ServerUrl $Url -ApiKey $secure -Model buffalo -OutputDirectory $Store -MaximumRetryCount 0 -TimeoutSec 1 -ThrottleLimit 2
                $env:INSIGHTFACE_SERVER_API_KEY = $Key
                $Files | Get-FaceEmbedding -Api InsightFaceServer -ServerUrl $Url -Model buffalo -OutputDirectory $Store -MaximumRetryCount 0 -TimeoutSec 1
                Remove-Item env:INSIGHTFACE_SERVER_API_KEY
                Import-FaceEmbedding -LiteralPath $Store
            }.ToString()
            $runs = @(
                Invoke-TestIsolated $script @{ Files = $set; Url = $ep.ServerUrl; Store = $store; Key = $key }
                Invoke-TestIsolated $serverScript @{ Files = $files[14..16]; Url = $ep.ServerUrl; Store = $store; Key = ($key + 'x') }
                Invoke-TestIsolated $serverScript @{ Files = $files[11..13]; Url = ($ep.ServerUrl -replace '127\.0\.0\.1:\d+', '127.0.0.1:9'); Store = $store; Key = $key; Extra = @{ MaximumRetryCount = 0 } }
            )

            # The runs met the cases that produce text: failures, warnings, verbose retries, progress, terminating errors.
            $runs[0].Embeddings.Count | Should -BeGreaterThan 10
            $runs[0].Error.Count | Should -BeGreaterThan 2
            $runs[0].Warning.Count | Should -BeGreaterThan 0
            $runs[0].Progress.Count | Should -BeGreaterThan 0
            $runs[1].Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingUnauthorized*' -Because ($runs[1].Error + $runs[1].Verbose | Out-String)
            $runs[2].Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingEndpointUnreachable*' -Because ($runs[2].Error + $runs[2].Verbose | Out-String)

            $text = ConvertTo-TestRunText $runs
            $text.Length | Should -BeGreaterThan 10000
            $text | Should -Not -Match $ep.Token
            $text | Should -Not -Match ([regex]::Escape($ep.Authority))
            $text | Should -Not -Match $key
            foreach ($file in Get-ChildItem $root -Recurse -File) {
                $content = [IO.File]::ReadAllText($file.FullName, [Text.Encoding]::Latin1)
                $content.Contains($ep.Token) | Should -BeFalse -Because $file.FullName
                $content.Contains($ep.Authority) | Should -BeFalse -Because $file.FullName
                $content.Contains($key) | Should -BeFalse -Because $file.FullName
            }
        }
    }

    Context 'the documented commands, exactly as printed' {
        BeforeAll {
            function script:Invoke-Printed {
                <# Runs the lines in a fresh PowerShell from -Folder; returns its console text. #>
                param([string[]] $Lines, [string] $Folder, [hashtable] $Environment = @{})
                $file = Join-Path $root ('printed-' + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.ps1')
                Set-Content -LiteralPath $file -Value (@("Set-Location -LiteralPath '$Folder'") + $Lines) -Encoding UTF8
                foreach ($name in $Environment.Keys) { Set-Item -Path "env:$name" -Value $Environment[$name] }
                try {
                    $command = @(Get-TestHostCommand)
                    $rest = @($command | Select-Object -Skip 1)
                    (& $command[0] @rest -NoProfile -File $file 2>&1 | ForEach-Object { "$_" }) -join "`n"
                }
                finally { foreach ($name in $Environment.Keys) { Remove-Item -Path "env:$name" -ErrorAction SilentlyContinue } }
            }

            function script:New-Workspace([string] $Name) {
                <# ./crops with two crops, and ./out/InsightFaceEval linked to the staged module. #>
                $work = Join-Path $root $Name
                $null = New-Item -ItemType Directory -Path (Join-Path $work 'crops/p1') -Force
                Copy-Item -LiteralPath $files[1].FullName, $files[2].FullName -Destination (Join-Path $work 'crops/p1')
                $null = New-Item -ItemType Directory -Path (Join-Path $work 'out') -Force
                $kind = if ($env:OS -eq 'Windows_NT') { 'Junction' } else { 'SymbolicLink' }
                $null = New-Item -ItemType $kind -Path (Join-Path $work 'out/InsightFaceEval') -Value (Split-Path $manifest)
                $work
            }
        }

        It 'runs the help''s Example 11 against a server on the port it names' {
            $page = Get-Content -LiteralPath (Join-Path (Get-TestRepositoryRoot) 'docs/en-US/Get-FaceEmbedding.md') -Encoding UTF8
            $start = [array]::FindIndex([string[]]$page, [Predicate[string]] { param($line) $line -like '### Example 11:*InsightFace Server*' })
            $start | Should -BeGreaterThan 0
            $lines = @($page[($start + 2)..($start + 8)] | Where-Object { $_ -like 'PS> *' -or $_ -like '>> *' } | ForEach-Object { $_.Substring(3).TrimStart() })
            $lines.Count | Should -Be 2
            $ep = New-Endpoint -ApiKey $key -Models @{ buffalo_l = 512 } -ArgumentList '--urls', 'http://127.0.0.1:18097'
            try {
                $work = New-Workspace 'example10'
                $text = Invoke-Printed -Lines (@("Import-Module '$manifest'") + $lines) -Folder $work -Environment @{ INSIGHTFACE_SERVER_API_KEY = $key }
                (Get-TestEndpointStats $ep).requests | Should -Be 2 -Because $text
                @(Get-ChildItem (Join-Path $work 'store-server/buffalo_l') -Recurse -Filter *.npy).Count | Should -Be 2
            }
            finally { Stop-TestEndpoint $ep }
        }

        It 'runs the README''s InsightFace Server commands, only the key placeholder filled in' {
            $lines = Get-Content -LiteralPath (Join-Path (Get-TestRepositoryRoot) 'README.md') -Encoding UTF8
            $start = [array]::IndexOf($lines, '## A self-hosted InsightFace Server')
            $start | Should -BeGreaterThan 0
            $block = @()
            for ($i = $start + 1; $i -lt $lines.Count; $i++) {
                if ($lines[$i] -match '^    ') { $block += $lines[$i].Substring(4); continue }
                if ($block.Count -gt 0) { break }
            }
            $block.Count | Should -Be 4
            $block[1] | Should -Match '<the API key of your server>'
            $block[1] = $block[1].Replace('<the API key of your server>', $key)
            $ep = New-Endpoint -ApiKey $key -Models @{ buffalo_l = 512 } -ArgumentList '--urls', 'http://127.0.0.1:18097'
            try {
                $work = New-Workspace 'readme'
                $text = Invoke-Printed -Lines $block -Folder $work
                (Get-TestEndpointStats $ep).requests | Should -Be 2 -Because $text
                (Get-TestEndpointStats $ep).unauthorized | Should -Be 0
                @(Get-ChildItem (Join-Path $work 'store-server/buffalo_l') -Recurse -Filter *.npy).Count | Should -Be 2
                $text | Should -Not -Match $key
            }
            finally { Stop-TestEndpoint $ep }
        }
    }
}
