# Identities: -IdentityMap on New-FaceCrop, Get-FaceEmbedding and Import-FaceEmbedding (their help examples and the
# README's, run exactly as printed), and a flat folder of photos diagnosed as a user meets it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'LocalEndpoint.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    & (Get-Module LocalEndpoint) { Initialize-TestImaging }   # compiles the test picture writer (not exported)
    $script:repo = Get-TestRepositoryRoot
    $script:ep = Start-TestEndpoint
    $script:samples = Join-Path $script:repo '.cache/assets/face-api/demo'
    $script:noSamples = if (-not (Test-Path (Join-Path $script:samples 'sample6.jpg'))) { 'the sample photos are not fetched (build.ps1 -Task Fetch)' } else { $null }
    $script:savedUrl = $env:INSIGHTFACE_SERVER_URL

    # The code block under '### <Title>' in a documentation file, line by line, exactly as printed.
    function Get-DocumentedExample([string] $File, [string] $Title) {
        $text = Get-Content -LiteralPath (Join-Path $script:repo $File) -Raw
        $m = [regex]::Match($text, '### ' + [regex]::Escape($Title) + '\r?\n```powershell\r?\n(?<code>.*?)\r?\n```', 'Singleline')
        if (-not $m.Success) { throw "No example '$Title' in $File" }
        $m.Groups['code'].Value -split '\r?\n'
    }

    # 'PS> Get-Content <file>' and the lines after it: that file, as printed. Every other 'PS> ' line runs as printed.
    function Invoke-DocumentedExample([string[]] $Lines) {
        $files = [ordered]@{}
        $commands = @()
        $current = $null
        foreach ($line in $Lines) {
            if ($line -match '^PS> Get-Content (\S+)$') { $current = $Matches[1]; $files[$current] = @(); continue }
            if ($line.StartsWith('PS> ')) { $current = $null; $commands += $line.Substring(4); continue }
            if ($current) { $files[$current] += $line }
        }
        foreach ($name in $files.Keys) { Set-Content -LiteralPath $name -Value $files[$name] -Encoding UTF8 }
        foreach ($command in $commands) { & ([scriptblock]::Create($command)) }
    }

    # A 240 x 240 picture (the stand-in endpoint embeds any picture; New-FaceCrop crops any box).
    function New-Picture([string] $RelativePath, [int] $Index) {
        [InsightFaceEval.Tests.TestCrops]::Write((Join-Path (Get-Location).ProviderPath $RelativePath), $Index, $null, $false, $null, 240)
    }

    function New-WorkFolder([string] $Name) {
        $folder = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory -Path $folder -Force
        Push-Location -LiteralPath $folder
        $folder
    }

    function Copy-SamplePhoto([string] $Destination) {
        $null = New-Item -ItemType Directory -Path $Destination -Force
        Get-ChildItem $script:samples -Filter 'sample*.jpg' | Copy-Item -Destination $Destination
    }
}

AfterAll {
    $env:INSIGHTFACE_SERVER_URL = $script:savedUrl
    Stop-TestEndpoint $script:ep
}

Describe 'Identity maps: the documented examples, run as printed' {
    AfterEach { Pop-Location; $env:INSIGHTFACE_SERVER_URL = $script:savedUrl }

    It 'New-FaceCrop Example 7 names each face of a group photo by its box' {
        $null = New-WorkFolder 'nfc-example'
        New-Picture 'photos/party.png' 1
        New-Picture 'photos/beach.png' 2
        $crops = @(Invoke-DocumentedExample (Get-DocumentedExample 'docs/en-US/New-FaceCrop.md' 'Example 7: Name the people in a folder of group photos') | Sort-Object RelativePath)
        $crops.RelativePath | Should -Be 'beach_0.png', 'party_0.png', 'party_1.png'
        $crops.Identity | Should -Be 'alice', 'alice', 'bob'
        'crops/party_1.png' | Should -Exist
    }

    It 'Get-FaceEmbedding Example 9 takes each crop''s identity from its row' {
        $null = New-WorkFolder 'gfe-example'
        New-Picture 'crops/party_0.png' 3
        New-Picture 'crops/party_1.png' 4
        New-Picture 'crops/beach_0.png' 5
        $env:INSIGHTFACE_SERVER_URL = $script:ep.Url
        $embeddings = @(Invoke-DocumentedExample (Get-DocumentedExample 'docs/en-US/Get-FaceEmbedding.md' 'Example 9: Take identities from a CSV') | Sort-Object RelativePath)
        $embeddings.RelativePath | Should -Be 'crops/beach_0.png', 'crops/party_0.png', 'crops/party_1.png'
        $embeddings.Identity | Should -Be 'alice', 'alice', 'bob'
        # The store keeps the identities, so later measurements see them.
        @(Import-FaceEmbedding embeddings | Sort-Object RelativePath).Identity | Should -Be 'alice', 'alice', 'bob'
    }

    It 'Import-FaceEmbedding Example 4 relabels stored embeddings without extracting again' {
        $null = New-WorkFolder 'ife-example'
        New-Picture 'crops/party_0.png' 6
        New-Picture 'crops/party_1.png' 7
        New-Picture 'crops/beach_0.png' 8
        $stored = @(Get-ChildItem crops -Filter *.png | Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url)
        $stored.Identity | Sort-Object -Unique | Should -Be 'crops'
        $relabelled = @(Invoke-DocumentedExample (Get-DocumentedExample 'docs/en-US/Import-FaceEmbedding.md' 'Example 4: Relabel identities without extracting again') | Sort-Object RelativePath)
        $relabelled.Identity | Should -Be 'carol', 'alice', 'bob'
        $relabelled.Vector[0] | Should -Be ($stored | Sort-Object RelativePath)[0].Vector[0]
        # The store is unchanged.
        @(Import-FaceEmbedding embeddings).Identity | Sort-Object -Unique | Should -Be 'crops'
    }

    It 'the README''s command labels the 22 faces of the sample photos with examples/demo-identities.csv' {
        if ($script:noSamples) { Set-ItResult -Skipped -Because $script:noSamples; Push-Location $TestDrive; return }
        $null = New-WorkFolder 'readme-map'
        Copy-SamplePhoto 'photos'
        Copy-Item (Join-Path $script:repo 'examples/demo-identities.csv') 'identities.csv'
        $readme = Get-Content -LiteralPath (Join-Path $script:repo 'README.md')
        $line = @($readme | Where-Object { $_ -match '^    Find-Face photos/\*\.jpg \| New-FaceCrop .*-IdentityMap identities\.csv$' })
        $line.Count | Should -Be 1
        $all = @(& ([scriptblock]::Create($line[0].Trim())) -ErrorVariable errs 3>&1)
        $errs | Should -BeNullOrEmpty
        @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty -Because 'every row names a detected face'
        $crops = @($all | Where-Object { $_ -is [InsightFaceEval.FaceCrop] })
        $crops.Count | Should -Be 22
        @($crops.Identity | Sort-Object -Unique).Count | Should -Be 21
        @($crops | Where-Object Identity -EQ 'person03' | ForEach-Object RelativePath | Sort-Object) | Should -Be 'sample1_2.png', 'sample3_1.png'
    }
}

Describe 'Identity maps: inputs and rows that do not match' {
    AfterEach { Pop-Location }

    It 'New-FaceCrop: a face no row names is an error and not cropped; unused rows are one warning' {
        $folder = New-WorkFolder 'nfc-unmatched'
        New-Picture 'photos/party.png' 9
        Set-Content detections.csv -Encoding UTF8 -Value 'Path,X,Y,Width,Height', 'photos/party.png,40,30,60,80', 'photos/party.png,160,30,60,80'
        Set-Content identities.csv -Encoding UTF8 -Value 'path,identity,x,y,width,height', 'photos/party.png,alice,41,29,60,80', 'photos/ghost.png,nobody,,,,'
        $crops = @(Import-Csv detections.csv | New-FaceCrop -OutputDirectory crops -IdentityMap identities.csv -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue)
        $crops.Identity | Should -Be 'alice'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NewFaceCropIdentityNotMapped,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -Be (Join-Path $folder 'photos/party.png')
        $errs[0].Exception.Message | Should -Match "no row for 'party.png' face \[160, 30, 60, 80\]"
        'crops/party_1.png' | Should -Not -Exist
        $warns | Should -HaveCount 1
        "$($warns[0])" | Should -Match "^1 of the 2 rows of the identity map 'identities.csv' matched no input: 'photos/ghost.png' \(line 3\)"
    }

    It 'Get-FaceEmbedding: an image no row names is not uploaded; the others are embedded and stored' {
        $null = New-WorkFolder 'gfe-unmatched'
        New-Picture 'crops/a.png' 10
        New-Picture 'crops/b.png' 11
        Set-Content map.csv -Encoding UTF8 -Value 'path,identity', 'crops/a.png,alice'
        $out = @(Get-ChildItem crops -Filter *.png | Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url -OutputDirectory store -IdentityMap map.csv -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out.Identity | Should -Be 'alice'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'GetFaceEmbeddingIdentityNotMapped,*'
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errs[0].TargetObject | Should -BeLike '*b.png'
        @(Import-FaceEmbedding store).RelativePath | Should -Be 'crops/a.png'
    }

    It 'Import-FaceEmbedding: matches by relative path when the images moved, and reports what has no row' {
        $null = New-WorkFolder 'ife-unmatched'
        New-Picture 'crops/a.png' 12
        New-Picture 'crops/b.png' 13
        $null = Get-ChildItem crops -Filter *.png | Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url -OutputDirectory store
        $null = New-Item -ItemType Directory maps
        # In maps/, 'crops/a.png' is not the image's full path: it matches the stored relative path.
        Set-Content maps/ids.csv -Encoding UTF8 -Value 'path,identity', 'crops/a.png,alice', 'crops/zzz.png,zed'
        $out = @(Import-FaceEmbedding store -IdentityMap maps/ids.csv -ErrorVariable errs -ErrorAction SilentlyContinue -WarningVariable warns -WarningAction SilentlyContinue)
        $out.Identity | Should -Be 'alice'
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'ImportFaceEmbeddingIdentityNotMapped,*'
        $errs[0].TargetObject.RelativePath | Should -Be 'crops/b.png'
        "$($warns[0])" | Should -Match "crops/zzz.png"
    }

    It 'a map that cannot be read stops the command before anything is done' {
        $null = New-WorkFolder 'bad-map'
        New-Picture 'photos/p.png' 14
        Set-Content bad.csv -Encoding UTF8 -Value 'file,name', 'photos/p.png,alice'
        { New-FaceCrop photos/p.png -BoundingBox 10, 10, 50, 50 -OutputDirectory crops -IdentityMap bad.csv -ErrorAction Stop } |
            Should -Throw -ErrorId 'NewFaceCropInvalidIdentityMap,InsightFaceEval.Commands.NewFaceCropCommand'
        'crops' | Should -Not -Exist
        Set-Content twice.csv -Encoding UTF8 -Value 'path,identity', 'photos/p.png,alice', 'photos/p.png,bob'
        { Get-ChildItem photos | Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url -OutputDirectory store -IdentityMap twice.csv } |
            Should -Throw -ErrorId 'GetFaceEmbeddingInvalidIdentityMap,InsightFaceEval.Commands.GetFaceEmbeddingCommand'
        { Import-FaceEmbedding store -IdentityMap missing.csv } | Should -Throw -ErrorId 'ImportFaceEmbeddingIdentityMapFileNotFound,InsightFaceEval.Commands.ImportFaceEmbeddingCommand'
    }
}

Describe 'A flat folder of photos, as a user meets it' {
    BeforeAll {
        $script:flat = Join-Path $TestDrive 'flat'
        if (-not $script:noSamples) {
            $null = New-Item -ItemType Directory $script:flat
            Push-Location -LiteralPath $script:flat
            try { Copy-SamplePhoto 'photos' } finally { Pop-Location }
        }
    }
    AfterEach { Pop-Location; $env:INSIGHTFACE_SERVER_URL = $script:savedUrl }

    It 'the README''s one-liner says the one identity is the photos folder, and how to give identities' {
        Push-Location -LiteralPath $TestDrive
        if ($script:noSamples) { Set-ItResult -Skipped -Because $script:noSamples; return }
        Set-Location -LiteralPath $script:flat
        $readme = Get-Content -LiteralPath (Join-Path $script:repo 'README.md') -Raw
        $m = [regex]::Match($readme, '(?m)^    (Get-ChildItem photos -Recurse -Filter \*\.jpg \| Find-Face .*?report\.json)$', 'Singleline')
        $m.Success | Should -BeTrue
        # In a fresh session, as a user would run it; the one-liner's text goes in exactly as printed.
        $command = @"
Import-Module '$(Get-TestModuleManifest)'
Set-Location -LiteralPath '$($script:flat)'
`$env:INSIGHTFACE_SERVER_URL = '$($script:ep.Url)'
`$out = & { $($m.Groups[1].Value) } 2>&1
@(`$out | Where-Object { `$_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object {
    [pscustomobject]@{ Id = `$_.FullyQualifiedErrorId; Target = "`$(`$_.TargetObject)"; Message = `$_.Exception.Message; Recommended = "`$(`$_.ErrorDetails.RecommendedAction)" } }) | ConvertTo-Json -Depth 3
"@
        $errors = @(Invoke-ChildPwsh -Command $command)
        $refused = @($errors | Where-Object { $_.Id -like 'MeasureFaceVerificationNoImpostorPairs,*' })
        @($refused.Target | Sort-Object) | Should -Be 'dingo', 'eagle'
        $message = $refused[0].Message
        $message | Should -Match "All 22 images have the identity 'photos': most likely the name of the one folder the photos were in"
        $message | Should -Not -Match '-Identity' -Because 'the message describes the data; the recommended action says what to type'
        $recommended = $refused[0].Recommended
        $recommended | Should -Match 'a folder of their own'
        $recommended | Should -Match '-IdentityMap'
        $recommended | Should -Match '-Identity '
        'report.html' | Should -Not -Exist
    }

    It 'Measure-FaceIdentification refuses the same crops instead of reporting Rank-1 100%' {
        Push-Location -LiteralPath $TestDrive
        if ($script:noSamples) { Set-ItResult -Skipped -Because $script:noSamples; return }
        Set-Location -LiteralPath $script:flat
        $out = @(Import-FaceEmbedding embeddings -Model dingo | Measure-FaceIdentification -ErrorVariable errs -ErrorAction SilentlyContinue)
        $out | Should -BeNullOrEmpty
        $errs | Should -HaveCount 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MeasureFaceIdentificationSingleIdentity,*'
        $errs[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $errs[0].Exception.Message | Should -Match "Rank-1 would read 100%"
        $errs[0].Exception.Message | Should -Match "All 22 images have the identity 'photos'"
    }

    It 'with the identity map the same photos are measured, and the repeated person is a genuine pair' {
        Push-Location -LiteralPath $TestDrive
        if ($script:noSamples) { Set-ItResult -Skipped -Because $script:noSamples; return }
        Set-Location -LiteralPath $script:flat
        $results = @(Find-Face photos/*.jpg | New-FaceCrop -OutputDirectory labelled -IdentityMap (Join-Path $script:repo 'examples/demo-identities.csv') |
                Get-FaceEmbedding -Model dingo -ServerUrl $script:ep.Url -OutputDirectory labelled-store |
                Measure-FaceVerification -Protocol AllPairs -BootstrapSamples 0 -ErrorVariable errs -ErrorAction SilentlyContinue)
        $errs | Should -BeNullOrEmpty
        $results.IdentityCount | Should -Be 21
        $results.SystemLevel.GenuinePairs | Should -Be 1
        $results.SystemLevel.ImpostorPairs | Should -Be (22 * 21 / 2 - 1)
    }
}
