# Get-FaceEmbedding as an operator meets it in the first week (issue 11): a wrong URL fails in seconds, -WhatIf and
# -Confirm show what would be sent, a misspelt model stops alone, and files that are not crops are never uploaded.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    $script:manifest = Get-TestModuleManifest
    Import-Module $script:manifest -Force
    $script:crops = Join-Path $TestDrive 'crops'
    $script:files = @(New-TestCropSet -Path $script:crops -Count 12 -Identities 4)
    $script:endpoints = [System.Collections.Generic.List[object]]::new()

    function script:New-Endpoint {
        $e = Start-TestEndpoint @args
        $script:endpoints.Add($e)
        $e
    }

    function script:New-StorePath { Join-Path $TestDrive ('store-' + [guid]::NewGuid().ToString('N').Substring(0, 6)) }

    function script:Get-Sha([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant() }


    function script:Invoke-ConsolePwsh {
        <#
        Runs a script file in a child pwsh with a console host, as a user's terminal runs it: "What if" lines and
        -Confirm prompts go to its console. -Answer lines are typed at the prompts (its standard input).
        Returns the console's text.
        #>
        param([string] $Script, [string[]] $Answer = @(), [hashtable] $Environment = @{})
        $file = Join-Path $TestDrive ('child-' + [guid]::NewGuid().ToString('N').Substring(0, 6) + '.ps1')
        Set-Content -LiteralPath $file -Value ("Import-Module '$($script:manifest)'`n" + $Script) -Encoding UTF8
        foreach ($key in $Environment.Keys) { Set-Item -Path "env:$key" -Value $Environment[$key] }
        try {
            $exe = @('pwsh.exe', 'pwsh', 'powershell.exe' | ForEach-Object { Join-Path $PSHOME $_ } | Where-Object { Test-Path -LiteralPath $_ -PathType Leaf }) | Select-Object -First 1
            $typed = ($Answer -join "`n") + "`n"
            $text = if ($exe) { $typed | & $exe -NoProfile -File $file 2>&1 }
            else { $typed | & dotnet (Join-Path $PSHOME 'pwsh.dll') -NoProfile -File $file 2>&1 }
            ($text | ForEach-Object { "$_" }) -join "`n"
        }
        finally { foreach ($key in $Environment.Keys) { Remove-Item -Path "env:$key" -ErrorAction SilentlyContinue } }
    }

    function script:Get-ClosedPort {
        <# A loopback port nothing listens on: bound once, then released. #>
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        $port
    }

    $script:embedScript = {
        param($Files, $Url, $Store, [string[]] $Model = 'dingo', [hashtable] $Extra = @{})
        $VerbosePreference = 'Continue'
        $Files | Get-FaceEmbedding -Model $Model -ServerUrl $Url -OutputDirectory $Store @Extra
    }.ToString()
}

AfterAll {
    $script:endpoints | Stop-TestEndpoint
}

Describe 'Get-FaceEmbedding fails fast when there is no endpoint to reach' {
    It 'stops within seconds at a refused connection, without a single retry' {
        $port = Get-ClosedPort
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-TestIsolated $embedScript @{ Files = $files; Url = "http://127.0.0.1:$port/v1/extract"; Store = (New-StorePath) }
        $watch.Stop()
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingEndpointUnreachable,*'
        $r.Terminating.CategoryInfo.Category | Should -Be 'ConnectionError'
        $r.Terminating.Exception.Message | Should -Match 'refused'
        $r.Terminating.Exception.Message | Should -Not -Match "127\.0\.0\.1|$port"
        @($r.Verbose | Where-Object Message -Match '^Retrying ') | Should -BeNullOrEmpty -Because 'a refused first request is not retried'
        $r.Embeddings | Should -BeNullOrEmpty
        # 12 images x 6 attempts with backoff took over 30 s before; the bound is loose on purpose.
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
    }

    It 'stops within seconds when the host name does not resolve' {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-TestIsolated $embedScript @{ Files = $files; Url = 'http://nonexistent.invalid/v1/extract'; Store = (New-StorePath) }
        $watch.Stop()
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingEndpointUnreachable,*'
        $r.Terminating.Exception.Message | Should -Match 'host name could not be resolved'
        $r.Terminating.Exception.Message | Should -Not -Match 'nonexistent'
        @($r.Verbose | Where-Object Message -Match '^Retrying ') | Should -BeNullOrEmpty
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
    }

    It 'retries a refused connection once a request of the run has worked, and gives up per image' {
        $ep = New-Endpoint -ServiceTimeMs 150
        $store = New-StorePath
        $iss = [initialsessionstate]::CreateDefault2()
        $iss.ImportPSModule($manifest)
        $ps = [powershell]::Create($iss)
        try {
            $null = $ps.AddScript($embedScript).AddParameter('Files', $files).AddParameter('Url', $ep.Url).AddParameter('Store', $store).AddParameter('Extra', @{ ThrottleLimit = 1; MaximumRetryCount = 1 })
            $async = $ps.BeginInvoke()
            $index = Join-Path $store 'dingo/index.jsonl'
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not ((Test-Path $index) -and @(Get-Content $index).Count -ge 2) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            Stop-TestEndpoint $ep
            $output = @($ps.EndInvoke($async))
            $errors = @($ps.Streams.Error)
            $verbose = @($ps.Streams.Verbose)
        }
        finally { $ps.Dispose() }

        $output.Count | Should -BeGreaterOrEqual 2
        ($output.Count + $errors.Count) | Should -Be 12 -Because 'each image is either embedded or reported, none is dropped'
        $errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingConnectionFailed,*' }
        @($verbose | Where-Object Message -Match '^Retrying ').Count | Should -BeGreaterOrEqual $errors.Count
    }
}

Describe 'Get-FaceEmbedding -WhatIf and -Confirm' {
    BeforeAll {
        $script:ep = New-Endpoint
        $script:store = New-StorePath
        # Three of the twelve are in the store for dingo already.
        $null = Invoke-TestIsolated $embedScript @{ Files = $files[0..2]; Url = $ep.Url; Store = $store }
        $script:indexBefore = @(Get-Content -LiteralPath (Join-Path $store 'dingo/index.jsonl'))
        $script:childScript = @"
`$files = Get-ChildItem -LiteralPath '$crops' -Recurse -Filter *.png
`$out = @(`$files | Get-FaceEmbedding -Model dingo, eagle -ServerUrl `$env:IFE_TEST_URL -OutputDirectory '$store' -MaximumRequestsPerSecond 4 ARGS)
'EMITTED ' + @(`$out | ForEach-Object { `$_.Model }).Count + ' ' + ((`$out | ForEach-Object { `$_.Model } | Sort-Object -Unique) -join ',')
"@
    }

    It '-WhatIf sends nothing, writes nothing, emits nothing and tells per model what would be uploaded and when' {
        $before = (Get-TestEndpointStats $ep).requests
        $text = Invoke-ConsolePwsh ($childScript -replace 'ARGS', '-WhatIf') -Environment @{ IFE_TEST_URL = $ep.Url }
        (Get-TestEndpointStats $ep).requests | Should -Be $before
        $text | Should -Match 'EMITTED 0 '
        @(Get-Content -LiteralPath (Join-Path $store 'dingo/index.jsonl')) | Should -Be $indexBefore
        Join-Path $store 'eagle' | Should -Not -Exist
        $lines = @($text -split "`n" | Where-Object { $_ -like 'What if:*' })
        $lines.Count | Should -Be 2
        # 9 + 12 requests at 4 per second.
        $lines[0] | Should -Be "What if: Upload 9 image(s) to the endpoint for model 'dingo'; 3 more come from the store. About 3 s at -MaximumRequestsPerSecond 4 (all models: about 6 s)."
        $lines[1] | Should -Be "What if: Upload 12 image(s) to the endpoint for model 'eagle'; 0 more come from the store. About 3 s at -MaximumRequestsPerSecond 4 (all models: about 6 s)."
        $text | Should -Not -Match $ep.Token
    }

    It 'runs the help''s -WhatIf example exactly as printed' {
        $page = Get-Content -LiteralPath (Join-Path (Get-TestRepositoryRoot) 'docs/en-US/Get-FaceEmbedding.md') -Encoding UTF8
        $start = [array]::FindIndex([string[]]$page, [Predicate[string]] { param($line) $line -like '### Example*See what a run would upload*' })
        $start | Should -BeGreaterThan 0
        $command = @($page[($start + 1)..($start + 6)] | Where-Object { $_ -like 'PS> *' } | ForEach-Object { $_.Substring(4) })
        $command.Count | Should -Be 1
        $before = (Get-TestEndpointStats $ep).requests
        $text = Invoke-ConsolePwsh ("Set-Location -LiteralPath '$TestDrive'`n" + $command[0]) -Environment @{ INSIGHTFACE_SERVER_URL = $ep.Url }
        (Get-TestEndpointStats $ep).requests | Should -Be $before
        Join-Path $TestDrive 'embeddings' | Should -Not -Exist
        $lines = @($text -split "`n" | Where-Object { $_ -like 'What if:*' })
        $lines.Count | Should -Be 2 -Because $text
        $lines[0] | Should -Match "^What if: Upload 12 image\(s\) to the endpoint for model 'dingo'; 0 more come from the store\. About 3 s at -MaximumRequestsPerSecond 5 \(all models: about 5 s\)\.$"
        $lines[1] | Should -Match "^What if: Upload 12 image\(s\) to the endpoint for model 'eagle'"
    }

    It '-WhatIf does not create a store that does not exist yet' {
        $fresh = New-StorePath
        $r = Invoke-TestIsolated { param($Files, $Url, $Store) $Files | Get-FaceEmbedding -Model dingo -ServerUrl $Url -OutputDirectory $Store -WhatIf }.ToString() @{
            Files = $files; Url = $ep.Url; Store = $fresh }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Embeddings | Should -BeNullOrEmpty
        $fresh | Should -Not -Exist
    }

    It '-Confirm asks once per model before anything is sent, and runs only the models accepted' {
        $before = Get-TestEndpointStats $ep
        $text = Invoke-ConsolePwsh ($childScript -replace 'ARGS', '-Confirm') -Answer 'n', 'y' -Environment @{ IFE_TEST_URL = $ep.Url }
        $text | Should -Match "Upload 9 image\(s\) to the endpoint for model 'dingo'"
        $text | Should -Match "Upload 12 image\(s\) to the endpoint for model 'eagle'"
        $text | Should -Match 'EMITTED 12 eagle'
        $after = Get-TestEndpointStats $ep
        ($after.requests - $before.requests) | Should -Be 12
        @(Get-Content -LiteralPath (Join-Path $store 'dingo/index.jsonl')) | Should -Be $indexBefore
        @(Get-Content -LiteralPath (Join-Path $store 'eagle/index.jsonl')).Count | Should -Be 12
    }

    It 'asks under $ConfirmPreference = ''Medium'' and not with -Confirm:$false' {
        $fresh = New-StorePath
        $before = (Get-TestEndpointStats $ep).requests
        $script = $childScript -replace [regex]::Escape($store), $fresh
        $script = "`$ConfirmPreference = 'Medium'`n" + ($script -replace 'ARGS', '')
        $text = Invoke-ConsolePwsh $script -Answer 'l' -Environment @{ IFE_TEST_URL = $ep.Url }
        $text | Should -Match "Upload 12 image\(s\) to the endpoint for model 'dingo'"
        $text | Should -Match 'EMITTED 0 '
        (Get-TestEndpointStats $ep).requests | Should -Be $before

        # A runspace has no one to ask: -Confirm:$false must not try.
        $r = Invoke-TestIsolated { param($Files, $Url, $Store) $ConfirmPreference = 'Low'; $Files | Get-FaceEmbedding -Model dingo -ServerUrl $Url -OutputDirectory $Store -Confirm:$false }.ToString() @{
            Files = $files; Url = $ep.Url; Store = $fresh }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Embeddings.Count | Should -Be 12
    }
}

Describe 'Get-FaceEmbedding with a model the endpoint refuses' {
    It 'stops only that model after its one request, names it in a non-terminating error, and the others go on' {
        $ep = New-Endpoint
        $store = New-StorePath
        $r = Invoke-TestIsolated $embedScript @{ Files = $files; Url = $ep.Url; Store = $store; Model = @('dingo', 'dingoo'); Extra = @{ ThrottleLimit = 4 } }
        $r.Terminating | Should -BeNullOrEmpty
        $r.Embeddings.Count | Should -Be 12
        @($r.Embeddings | Where-Object { $_.Model -ne 'dingo' -or "$($_.Status)" -ne 'Success' }) | Should -BeNullOrEmpty
        $r.Error.Count | Should -Be 1
        $r.Error[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingModelRejected,*'
        $r.Error[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $r.Error[0].TargetObject | Should -Be 'dingoo'
        $r.Error[0].Exception.Message | Should -Match "model 'dingoo'"
        $stats = Get-TestEndpointStats $ep
        $stats.requests | Should -Be 13 -Because 'twelve for dingo and one for dingoo'
        @(Get-Content -LiteralPath (Join-Path $store 'dingo/index.jsonl')).Count | Should -Be 12
    }

    It 'still stops everything when the endpoint refuses access' {
        $ep = New-Endpoint -RequireToken
        $r = Invoke-TestIsolated $embedScript @{ Files = $files; Url = "$($ep.BaseUrl)/v1/expired/extract"; Store = (New-StorePath); Model = @('dingo', 'eagle') }
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingUnauthorized,*'
        (Get-TestEndpointStats $ep).requests | Should -BeLessOrEqual 2
    }
}

Describe 'Get-FaceEmbedding and files that are not face crops' {
    It 'reports a text file named .png as NotAnImage and never uploads it' {
        $ep = New-Endpoint
        $text = Join-Path $TestDrive 'notcrops/id000/readme.png'
        $null = New-Item -ItemType Directory -Path (Split-Path $text) -Force
        Set-Content -LiteralPath $text -Value 'These are my notes, not a face.' -Encoding UTF8
        $r = Invoke-TestIsolated $embedScript @{ Files = @($files[0].FullName, $text, $files[1].FullName); Url = $ep.Url; Store = (New-StorePath); Model = @('dingo', 'eagle') }
        $r.Embeddings.Count | Should -Be 4
        $r.Error.Count | Should -Be 1
        $r.Error[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingNotAnImage,*'
        $r.Error[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $r.Error[0].TargetObject | Should -Be $text
        $stats = Get-TestEndpointStats $ep
        $stats.requests | Should -Be 4
        $stats.images.ContainsKey((Get-Sha $text)) | Should -BeFalse
    }
}

Describe 'Get-FaceEmbedding -ModelPath and inputs that are not one face crop' {
    BeforeAll {
        $script:repo = Get-TestRepositoryRoot
        . (Join-Path $script:repo 'build/Assets.ps1')
        $script:skipLocal = try {
            $script:assets = Get-TestAssets -CacheDirectory (Join-Path $script:repo '.cache')
            if (-not (Test-Path -LiteralPath $script:assets.RecognizerModel)) { 'the sample model is not fetched (build.ps1 -Task Fetch)' } else { $null }
        }
        catch { "the sample model and photos cannot be fetched: $($_.Exception.Message)" }
        if ($script:skipLocal) { return }
        # A whole sample photo (3 to 5 people) where a crop of one face belongs.
        $script:group = Join-Path $TestDrive 'group/party/sample5.jpg'
        $null = New-Item -ItemType Directory -Path (Split-Path $script:group) -Force
        Copy-Item -LiteralPath ($script:assets.Photos | Where-Object { $_ -like '*sample5.jpg' }) -Destination $script:group
        $script:localScript = {
            param($File, $Model, $Store, [hashtable] $Extra = @{})
            Get-FaceEmbedding -LiteralPath $File -ModelPath $Model -Normalization faceplugin -OutputDirectory $Store @Extra
        }.ToString()
    }

    It 'embeds a group photo but warns, naming the image and its number of faces' {
        if ($script:skipLocal) { Set-ItResult -Skipped -Because $script:skipLocal; return }
        $r = Invoke-TestIsolated $localScript @{ File = $group; Model = $assets.RecognizerModel; Store = (New-StorePath) }
        $r.Embeddings.Count | Should -Be 1
        "$($r.Embeddings[0].Status)" | Should -Be 'Success'
        $warnings = @($r.Warning | Where-Object Message -Match 'faces')
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match "party/sample5\.jpg' holds [2-9] faces"
        $warnings[0].Message | Should -Match 'RequireOne'
        $warnings[0].Message | Should -Not -Match 'endpoint'
    }

    It 'refuses it under -FaceSelection RequireOne and stores nothing' {
        if ($script:skipLocal) { Set-ItResult -Skipped -Because $script:skipLocal; return }
        $store = New-StorePath
        $r = Invoke-TestIsolated $localScript @{ File = $group; Model = $assets.RecognizerModel; Store = $store; Extra = @{ FaceSelection = 'RequireOne' } }
        $r.Embeddings | Should -BeNullOrEmpty
        $r.Error.Count | Should -Be 1
        $r.Error[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingMultipleFaces,*'
        $r.Error[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $r.Error[0].TargetObject | Should -Be $group
        @(Get-ChildItem -LiteralPath $store -Recurse -Filter *.npy) | Should -BeNullOrEmpty
    }

    It 'accepts only the one-face choices of New-FaceCrop''s -FaceSelection' {
        if ($script:skipLocal) { Set-ItResult -Skipped -Because $script:skipLocal; return }
        $r = Invoke-TestIsolated $localScript @{ File = $group; Model = $assets.RecognizerModel; Store = (New-StorePath); Extra = @{ FaceSelection = 'All' } }
        $r.Terminating.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        (Get-Command Get-FaceEmbedding).Parameters['FaceSelection'].ParameterType | Should -Be ([InsightFaceEval.Imaging.FaceSelection])
    }

    It 'words a failure of the local model as local, not as the endpoint''s' {
        if ($script:skipLocal) { Set-ItResult -Skipped -Because $script:skipLocal; return }
        # PNG by its signature, but nothing a decoder can read after it.
        $broken = Join-Path $TestDrive 'broken/id/truncated.png'
        $null = New-Item -ItemType Directory -Path (Split-Path $broken) -Force
        [IO.File]::WriteAllBytes($broken, [byte[]](@(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A) + @(1..200 | ForEach-Object { $_ % 251 })))
        $r = Invoke-TestIsolated $localScript @{ File = $broken; Model = $assets.RecognizerModel; Store = (New-StorePath) }
        $r.Error.Count | Should -Be 1
        $r.Error[0].TargetObject | Should -Be $broken
        $r.Error[0].Exception.Message | Should -Match "local model 'fr_feature' could not embed 'id/truncated\.png'"
        $r.Error[0].Exception.Message | Should -Not -Match 'endpoint'
    }
}
